import type { ServerEventFrame, ServerEventType, ServerMessages } from '@pychat/protocol';
import { ALL_ROOM_ID } from '@pychat/protocol/constants';
import type { AppStore } from '../store';
import { getter } from '../store/getters';
import { TYPING_SHOWN_MS } from '../store/modules/presence';
import type { ChatService } from './chat.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import type { NotificationService } from './notification.service';

type Routes = { [K in ServerEventType]: (data: ServerMessages[K]) => void };

/**
 * The one place server facts reach the store (STYLE.md §4): an exhaustive map from frame type to store
 * changes. A new server frame type is a compile error here until it is handled.
 */
export class EventRouter {
  readonly #routes: Routes;

  constructor(
    private readonly store: AppStore,
    private readonly db: LocalDbService,
    private readonly chat: ChatService,
    private readonly notifications: NotificationService,
    private readonly logger: Logger,
    private readonly hooks: { onReady: () => void; onSessionEnded: () => void },
  ) {
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
    const { store, db } = this;
    return {
      'session.ready': (data) => {
        store.commit('session/setMe', data.me);
        store.commit('session/setSettings', data.settings);
        store.commit('session/setServerOffset', data.serverTime - Date.now());
        // Protocol v2: `users` is the whole directory only when we connected without `usersSince`.
        store.commit(data.usersSince === null ? 'users/setAll' : 'users/merge', data.users);
        store.commit('users/setSyncedAt', data.serverTime);
        store.commit('rooms/setAll', { rooms: data.rooms, states: data.states, channels: data.channels });
        store.commit('presence/setOnline', data.online);
        void db.saveSession(data);
        this.hooks.onReady();
      },
      'message.new': ({ message, localId, parentThreadCount }) => {
        // At least once: a resend after a crash publishes the same message again; count and notify it once.
        const known = store.state.messages.rooms[message.roomId]?.byId[message.id] !== undefined;
        if (localId !== undefined && message.senderId === this.me()) {
          this.chat.confirm(localId, message);
        } else {
          store.commit('messages/upsert', [message]);
          void db.putMessages([message]);
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
      'message.edited': ({ message }) => {
        store.commit('messages/upsert', [message]);
        void db.putMessages([message]);
      },
      'message.deleted': ({ message }) => {
        store.commit('messages/upsert', [message]);
        void db.putMessages([message]);
      },
      'message.read': (data) => this.chat.applyRead(data),
      'typing.started': ({ roomId, userId }) => {
        store.commit('presence/typing', { roomId, userId, until: Date.now() + TYPING_SHOWN_MS });
      },
      'presence.changed': ({ online, offline }) => {
        store.commit('presence/change', { online, offline: offline.map((o) => o.userId) });
        for (const { userId, lastSeenAt } of offline) {
          store.commit('users/setLastSeen', { userId, lastSeenAt });
        }
        // The usersSince delta does not refresh lastSeenAt, so the cached directory keeps what presence told us.
        const seen = offline.flatMap(({ userId }) => store.state.users.byId[userId] ?? []);
        if (seen.length > 0) {
          void db.putUsers(seen.map((user) => ({ ...user })));
        }
      },
      'user.created': ({ user }) => {
        store.commit('users/upsert', user);
        // Every new user joins the "all" room.
        store.commit('rooms/addMember', { roomId: ALL_ROOM_ID, userId: user.id });
        void db.putUser(user);
      },
      'user.updated': ({ user }) => {
        store.commit('users/upsert', user);
        void db.putUser(user);
      },
      'room.added': ({ room, state, channel }) => {
        if (channel) {
          store.commit('rooms/upsertChannel', channel);
          void db.putChannel(channel);
        }
        store.commit('rooms/upsertRoom', room);
        store.commit('rooms/setState', state);
        void db.putRoom(room, state);
      },
      'room.updated': ({ room }) => {
        store.commit('rooms/upsertRoom', room);
        void db.putRoom(room);
      },
      'room.removed': ({ roomId }) => {
        store.commit('rooms/removeRoom', roomId);
        store.commit('messages/dropRoom', roomId);
        void db.deleteRoom(roomId);
      },
      'room.settings': ({ state }) => {
        store.commit('rooms/setState', state);
        void db.putState(state);
      },
      'channel.added': ({ channel }) => {
        store.commit('rooms/upsertChannel', channel);
        void db.putChannel(channel);
      },
      'channel.updated': ({ channel }) => {
        store.commit('rooms/upsertChannel', channel);
        void db.putChannel(channel);
      },
      'channel.removed': ({ channelId }) => {
        store.commit('rooms/removeChannel', channelId);
        void db.deleteChannel(channelId);
      },
      'session.ended': () => this.hooks.onSessionEnded(),
      'settings.updated': ({ settings }) => store.commit('session/setSettings', settings),
    };
  }
}
