import type { MessageDto } from '@pychat/protocol';
import type { AppStore } from '../store';
import type { TabRole } from './main-tab';

/**
 * Browser notification and a short sound for a message that arrives while its room is not in view
 * (tab hidden or another room open), if the user's settings and the room's settings allow it. With several
 * tabs open only the main one (`tab`) does either, so one message rings once.
 */
export class NotificationService {
  #audio: AudioContext | null = null;

  constructor(
    private readonly store: AppStore,
    private readonly tab: TabRole = { isMain: true },
  ) {}

  /** A short message at the bottom of the screen (App.vue shows and expires them). */
  toast(kind: 'info' | 'error' | 'success', text: string): void {
    this.store.commit('notifications/push', { kind, text });
  }

  dismiss(id: number): void {
    this.store.commit('notifications/dismiss', id);
  }

  async requestPermission(): Promise<NotificationPermission | 'unsupported'> {
    if (!('Notification' in window)) {
      return 'unsupported';
    }
    return Notification.permission === 'default' ? Notification.requestPermission() : Notification.permission;
  }

  onMessage(message: MessageDto, title: string): void {
    const state = this.store.state;
    // Do not disturb: no sound and no notification on any of my devices (each one learns it from user.updated).
    if (
      !this.tab.isMain ||
      message.senderId === state.session.me?.id ||
      message.deleted ||
      state.session.me?.status === 'dnd'
    ) {
      return;
    }
    const inView = !document.hidden && state.rooms.activeRoomId === message.roomId;
    const roomState = state.rooms.states[message.roomId];
    const mentioned = message.mentions.includes(state.session.me?.id ?? -1);
    if (inView || !roomState || (!roomState.notifications && !mentioned)) {
      return;
    }
    if (state.session.settings.messageSound && roomState.volume > 0) {
      this.beep(roomState.volume / 100);
    }
    if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
      const sender = state.users.byId[message.senderId]?.username ?? 'Someone';
      const notification = new Notification(`${sender} in ${title}`, {
        body: (message.content ?? '').slice(0, 200),
        tag: `room-${message.roomId}`,
        icon: '/icons/icon-192.png',
      });
      notification.onclick = () => {
        window.focus();
        window.location.assign(`/chat/${message.roomId}`);
      };
    }
  }

  /**
   * The "online change" sound (settings.onlineChangeSound, off by default): a rising pair of tones when someone I
   * follow comes online, a falling one when someone goes offline. Same one-tab and do-not-disturb rules as messages;
   * my own devices never ring.
   */
  onPresence(online: readonly number[], offline: readonly number[]): void {
    const state = this.store.state;
    const me = state.session.me?.id;
    if (!this.tab.isMain || !state.session.settings.onlineChangeSound || state.session.me?.status === 'dnd') {
      return;
    }
    if (online.some((id) => id !== me)) {
      this.beep(0.6, [660, 990]);
    } else if (offline.some((id) => id !== me)) {
      this.beep(0.6, [990, 660]);
    }
  }

  /** A soft two-tone chime from WebAudio, so no sound file has to be cached. */
  private beep(volume: number, [first, second]: readonly [number, number] = [880, 1320]): void {
    try {
      this.#audio ??= new AudioContext();
      const ctx = this.#audio;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.15 * volume, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.35);
      gain.connect(ctx.destination);
      for (const [freq, at] of [
        [first, 0],
        [second, 0.09],
      ] as const) {
        const osc = ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.25);
      }
    } catch {
      // Autoplay policies may refuse before the first user gesture; a silent miss is fine.
    }
  }
}
