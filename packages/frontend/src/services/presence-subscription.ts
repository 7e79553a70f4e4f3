import { LIMITS } from '@pychat/protocol/constants';
import type { AppStore } from '../store';
import type { RootState } from '../store/types';
import type { StoreSync } from './store-sync';
import type { WsService } from './ws.service';

/** Views change what they show in bursts (typing a filter, switching rooms): one subscribe per burst. */
export const PRESENCE_SUBSCRIBE_DEBOUNCE_MS = 300;

/**
 * The users whose presence this tab shows, most important first, at most `LIMITS.presenceSubscribeMax`:
 * the open room's members (its header count, member list and @mention candidates), every direct-message
 * partner (the sidebar), then what mounted views registered (`presence/show`). Me too when I am among them:
 * "N online" counts me, and the reply says so.
 */
export function visibleUserIds(state: RootState): number[] {
  const wanted = new Set<number>();
  const add = (userId: number) => {
    if (wanted.size < LIMITS.presenceSubscribeMax) {
      wanted.add(userId);
    }
  };
  const active = state.rooms.activeRoomId === null ? undefined : state.rooms.byId[state.rooms.activeRoomId];
  for (const member of active?.members ?? []) {
    add(member.userId);
  }
  for (const room of Object.values(state.rooms.byId)) {
    if (room.kind === 'direct') {
      for (const member of room.members) {
        add(member.userId);
      }
    }
  }
  for (const userIds of Object.values(state.presence.shown)) {
    for (const userId of userIds) {
      add(userId);
    }
  }
  return [...wanted].sort((a, b) => a - b);
}

/**
 * Protocol v3: the server sends `presence.changed` only for users a socket subscribed to. This keeps the
 * subscription equal to what the tab shows: sent again (debounced) whenever the visible set changes, and at
 * once on every new socket (a socket starts with none). The reply replaces what the store knows of presence.
 */
export class PresenceSubscription {
  #sent: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: AppStore,
    private readonly ws: Pick<WsService, 'request' | 'isOpen'>,
    private readonly sync: Pick<StoreSync, 'lastSeen'>,
    private readonly debounceMs = PRESENCE_SUBSCRIBE_DEBOUNCE_MS,
  ) {}

  /** Watches the visible set for the life of the app. */
  start(): void {
    this.store.watch(
      (state) => visibleUserIds(state).join(','),
      () => this.#schedule(),
    );
  }

  /** A view shows these users (their presence is followed while it does); an empty list when it stops. */
  show(key: string, userIds: number[]): void {
    this.store.commit('presence/show', { key, userIds });
  }

  /** A new socket (session.ready): it has no subscription yet. */
  onReady(): Promise<void> {
    this.#sent = null;
    return this.flush();
  }

  /** Sends the visible set now if it differs from what this socket has. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const userIds = visibleUserIds(this.store.state);
    const key = userIds.join(',');
    if (key === this.#sent || !this.ws.isOpen) {
      return;
    }
    this.#sent = key;
    try {
      const { online, offline } = await this.ws.request('presence.subscribe', { userIds });
      this.store.commit('presence/setOnline', online);
      await this.sync.lastSeen(
        offline.flatMap(({ userId, lastSeenAt }) => (lastSeenAt === null ? [] : [{ userId, lastSeenAt }])),
      );
    } catch {
      // The socket closed meanwhile: the next session.ready subscribes again.
      this.#sent = null;
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.debounceMs);
  }
}
