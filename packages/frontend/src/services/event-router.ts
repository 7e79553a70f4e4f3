import type { ServerEventFrame, ServerEventType, ServerMessages } from '@pychat/protocol';
import { ALL_ROOM_ID } from '@pychat/protocol/constants';
import type { AppStore } from '../store';
import { getter } from '../store/getters';
import { TYPING_SHOWN_MS } from '../store/modules/presence';
import type { ChatService } from './chat.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import type { NotificationService } from './notification.service';
import { StoreSync } from './store-sync';
import type { CallService } from './webrtc/call.service';
import type { FileTransferService } from './webrtc/file-transfer.service';
import type { P2pRoomService } from './webrtc/p2p-room.service';

/** The call frames' consumer (CallService); the router's tests may leave it out. */
export type CallEvents = Pick<
  CallService,
  'onReady' | 'onIncoming' | 'onJoined' | 'onDeclined' | 'onLeft' | 'onEnded' | 'onOffer' | 'onAnswer' | 'onCandidate'
>;

/** The transfer frames' consumer (FileTransferService). */
export type TransferEvents = Pick<
  FileTransferService,
  'onReady' | 'onIncoming' | 'onAccepted' | 'onDeclined' | 'onCancelled' | 'onSignal'
>;

/** The p2p-room frames' consumer (P2pRoomService). */
export type P2pEvents = Pick<P2pRoomService, 'onReady' | 'onJoined' | 'onLeft' | 'onSignal'>;

type Routes = { [K in ServerEventType]: (data: ServerMessages[K]) => void };

type NewMessage = ServerMessages['message.new'];

/** Runs the queued work later; see nextFrame. */
export type Scheduler = (flush: () => void) => void;

/** A hidden tab gets no animation frames; one hidden between the request and the frame gets this fallback. */
const FRAME_FALLBACK_MS = 100;

/**
 * The browser's scheduler for message.new frames: before the next paint, so that the frames of one frame's time
 * (200 messages/s is a few per frame, many more while the page is busy) are one store change and one render
 * instead of one each. A hidden tab paints nothing: its frames are applied at once, as they come.
 */
export function nextFrame(flush: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || document.hidden) {
    flush();
    return;
  }
  requestAnimationFrame(flush);
  setTimeout(flush, FRAME_FALLBACK_MS);
}

/**
 * The one place server facts reach the store (STYLE.md §4): an exhaustive map from frame type to store
 * changes. A new server frame type is a compile error here until it is handled.
 */
export class EventRouter {
  readonly #routes: Routes;
  private readonly sync: StoreSync;
  /** message.new frames waiting for the scheduled flush, in arrival order. */
  #queued: NewMessage[] = [];

  constructor(
    private readonly store: AppStore,
    private readonly db: LocalDbService,
    private readonly chat: ChatService,
    private readonly notifications: NotificationService,
    private readonly logger: Logger,
    /** `schedule`: when queued message.new frames are applied (nextFrame in the app); absent: each at once. */
    private readonly hooks: { onReady: () => void; onSessionEnded: () => void; schedule?: Scheduler },
    private readonly calls: CallEvents | null = null,
    private readonly transfers: TransferEvents | null = null,
    private readonly p2p: P2pEvents | null = null,
  ) {
    this.sync = new StoreSync(store, db);
    this.#routes = this.createRoutes();
  }

  route(frame: ServerEventFrame): void {
    if (frame.type === 'message.new' && this.hooks.schedule) {
      this.logger.debug('⇐ {} {}', frame.type, frame.data)();
      this.#queued.push(frame.data);
      if (this.#queued.length === 1) {
        this.hooks.schedule(() => this.flush());
      }
      return;
    }
    // Any other frame sees every message that came before it (a read receipt counts unread among them).
    this.flush();
    const handler = this.#routes[frame.type] as ((data: unknown) => void) | undefined;
    if (!handler) {
      this.logger.error('unknown frame type {}', frame.type)();
      return;
    }
    this.logger.debug('⇐ {} {}', frame.type, frame.data)();
    handler(frame.data);
  }

  /** Applies the queued message.new frames now, in arrival order. */
  flush(): void {
    const frames = this.#queued;
    if (frames.length > 0) {
      this.#queued = [];
      this.newMessages(frames);
    }
  }

  /** message.new frames, applied together: one store commit and one IndexedDB write for the others' messages. */
  private newMessages(frames: NewMessage[]): void {
    const { store, sync } = this;
    const me = this.me();
    const held = new Set<number>();
    const known = frames.map(({ message }) => {
      // At least once: a resend after a crash publishes the same message again; count and notify it once.
      const seen = held.has(message.id) || store.state.messages.rooms[message.roomId]?.byId[message.id] !== undefined;
      held.add(message.id);
      return seen;
    });
    const others: NewMessage['message'][] = [];
    for (const { message, localId } of frames) {
      if (localId !== undefined && message.senderId === me) {
        this.chat.confirm(localId, message);
      } else {
        others.push(message);
      }
    }
    if (others.length > 0) {
      void sync.messages(others);
    }
    frames.forEach(({ message, parentThreadCount }, i) => {
      if (parentThreadCount !== undefined && message.parentId !== null) {
        store.commit('messages/setThreadCount', {
          roomId: message.roomId,
          messageId: message.parentId,
          count: parentThreadCount,
        });
      }
      if (known[i]) {
        return;
      }
      store.commit('presence/stopTyping', { roomId: message.roomId, userId: message.senderId });
      store.commit('rooms/noteMessage', {
        roomId: message.roomId,
        messageId: message.id,
        fromOther: message.senderId !== me,
      });
      this.notifications.onMessage(message, getter(store, 'rooms/title')(message.roomId));
    });
  }

  private me(): number {
    return this.store.state.session.me?.id ?? 0;
  }

  private createRoutes(): Routes {
    const { store, sync } = this;
    return {
      'session.ready': (data) => {
        void sync.session(data);
        this.hooks.onReady();
        this.transfers?.onReady(data.connectionId);
        this.p2p?.onReady(data.connectionId);
        this.calls?.onReady(data.connectionId).catch((error: unknown) => {
          this.logger.warn('call.list failed {}', error)();
        });
      },
      'message.new': (data) => this.newMessages([data]),
      'message.edited': ({ message }) => void sync.messages([message]),
      'message.deleted': ({ message }) => void sync.messages([message]),
      'message.pinned': ({ message }) => void sync.messages([message]),
      'message.reactions': ({ roomId, messageId, reactions }) => void sync.reactions(roomId, messageId, reactions),
      'message.read': (data) => this.chat.applyRead(data),
      'typing.started': ({ roomId, userId }) => {
        store.commit('presence/typing', { roomId, userId, until: Date.now() + TYPING_SHOWN_MS });
      },
      'room.online': (data) => store.commit('presence/roomOnline', data),
      'presence.changed': ({ online, offline }) => {
        store.commit('presence/change', { online, offline: offline.map((o) => o.userId) });
        this.notifications.onPresence(
          online,
          offline.map((o) => o.userId),
        );
        void sync.lastSeen(offline);
      },
      'user.created': ({ user }) => {
        void sync.user(user);
        // Every new user joins the "all" room.
        store.commit('rooms/addMember', { roomId: ALL_ROOM_ID, userId: user.id });
      },
      'user.updated': ({ user }) => {
        void sync.user(user);
        // My own rename or profile change, from this tab or another: the header and profile follow.
        if (user.id === this.me()) {
          void sync.me(user);
        }
      },
      'room.added': ({ room, state, channel }) => void sync.room(room, state, channel),
      'room.updated': ({ room }) => void sync.room(room),
      'room.removed': ({ roomId }) => void sync.removeRoom(roomId),
      'room.settings': ({ state }) => void sync.roomState(state),
      'channel.added': ({ channel }) => void sync.channel(channel),
      'channel.updated': ({ channel }) => void sync.channel(channel),
      'channel.removed': ({ channelId }) => void sync.removeChannel(channelId),
      'session.ended': () => this.hooks.onSessionEnded(),
      'settings.updated': ({ settings }) => void sync.settings(settings),
      'call.incoming': ({ call }) => this.calls?.onIncoming(call),
      'call.joined': (data) => this.calls?.onJoined(data),
      'call.declined': (data) => this.calls?.onDeclined(data),
      'call.left': (data) => this.calls?.onLeft(data),
      'call.ended': (data) => this.calls?.onEnded(data),
      'rtc.offer': (data) => this.calls?.onOffer(data),
      'rtc.answer': (data) => this.calls?.onAnswer(data),
      'rtc.candidate': (data) => this.calls?.onCandidate(data),
      'transfer.incoming': ({ transfer }) => this.transfers?.onIncoming(transfer),
      'transfer.accepted': (data) => this.transfers?.onAccepted(data),
      'transfer.declined': (data) => this.transfers?.onDeclined(data),
      'transfer.cancelled': (data) => this.transfers?.onCancelled(data),
      'transfer.signal': (data) => this.transfers?.onSignal(data),
      'p2p.joined': (data) => this.p2p?.onJoined(data),
      'p2p.left': (data) => this.p2p?.onLeft(data),
      'p2p.signal': (data) => this.p2p?.onSignal(data),
    };
  }
}
