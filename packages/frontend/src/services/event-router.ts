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

/**
 * The one place server facts reach the store (STYLE.md §4): an exhaustive map from frame type to store
 * changes. A new server frame type is a compile error here until it is handled.
 */
export class EventRouter {
  readonly #routes: Routes;
  private readonly sync: StoreSync;

  constructor(
    private readonly store: AppStore,
    private readonly db: LocalDbService,
    private readonly chat: ChatService,
    private readonly notifications: NotificationService,
    private readonly logger: Logger,
    private readonly hooks: { onReady: () => void; onSessionEnded: () => void },
    private readonly calls: CallEvents | null = null,
    private readonly transfers: TransferEvents | null = null,
    private readonly p2p: P2pEvents | null = null,
  ) {
    this.sync = new StoreSync(store, db);
    this.#routes = this.createRoutes();
  }

  route(frame: ServerEventFrame): void {
    const handler = this.#routes[frame.type] as ((data: unknown) => void) | undefined;
    if (!handler) {
      this.logger.error('unknown frame type {}', frame.type)();
      return;
    }
    this.logger.debug('⇐ {} {}', frame.type, frame.data)();
    handler(frame.data);
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
      'message.new': ({ message, localId, parentThreadCount }) => {
        // At least once: a resend after a crash publishes the same message again; count and notify it once.
        const known = store.state.messages.rooms[message.roomId]?.byId[message.id] !== undefined;
        if (localId !== undefined && message.senderId === this.me()) {
          this.chat.confirm(localId, message);
        } else {
          void sync.messages([message]);
        }
        if (parentThreadCount !== undefined && message.parentId !== null) {
          store.commit('messages/setThreadCount', {
            roomId: message.roomId,
            messageId: message.parentId,
            count: parentThreadCount,
          });
        }
        if (known) {
          return;
        }
        store.commit('presence/stopTyping', { roomId: message.roomId, userId: message.senderId });
        store.commit('rooms/noteMessage', {
          roomId: message.roomId,
          messageId: message.id,
          fromOther: message.senderId !== this.me(),
        });
        this.notifications.onMessage(message, getter(store, 'rooms/title')(message.roomId));
      },
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
