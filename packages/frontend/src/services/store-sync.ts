import type {
  ChannelDto,
  MessageDto,
  ReactionDto,
  RoomDto,
  RoomStateDto,
  ServerMessages,
  UserDto,
  UserSettingsDto,
} from '@pychat/protocol';
import type { AppStore } from '../store';
import type { PendingMessage } from '../store/types';
import type { LocalDbService } from './local-db.service';

/**
 * The one apply path (STYLE.md §9): every fact that lives in both the store and IndexedDB is applied here, so a
 * reply handler and the event router applying the same change cannot drift apart. The store changes at once
 * (the view updates synchronously); the returned promise settles when IndexedDB has it.
 *
 * What is only in the store (typing, presence, pending state, toasts, the active room) is committed where it
 * happens; what is only on disk (the outbox queue) stays in LocalDbService.
 */
export class StoreSync {
  constructor(
    private readonly store: AppStore,
    private readonly db: LocalDbService,
  ) {}

  /** session.ready: rooms, states and channels are replaced; users replaced (whole directory) or merged (delta). */
  session(data: ServerMessages['session.ready']): Promise<void> {
    const { store } = this;
    store.commit('session/setMe', data.me);
    store.commit('session/setSettings', data.settings);
    store.commit('session/setServerOffset', data.serverTime - Date.now());
    // Protocol v2: `users` is the whole directory only when we connected without `usersSince`.
    store.commit(data.usersSince === null ? 'users/setAll' : 'users/merge', data.users);
    store.commit('users/setSyncedAt', data.serverTime);
    store.commit('rooms/setAll', { rooms: data.rooms, states: data.states, channels: data.channels });
    return this.db.saveSession(data);
  }

  me(user: UserDto): Promise<void> {
    this.store.commit('session/setMe', user);
    return this.db.saveMe(user);
  }

  settings(settings: UserSettingsDto): Promise<void> {
    this.store.commit('session/setSettings', settings);
    return this.db.saveSettings(settings);
  }

  /** New, edited or deleted messages (a deleted message is a tombstone: it is upserted too). */
  messages(messages: MessageDto[]): Promise<void> {
    this.store.commit('messages/upsert', messages);
    return this.db.putMessages(messages);
  }

  /**
   * A message's new reactions (message.reactions or the reply to my own message.react). A message not held
   * here is skipped: its reactions come with it when it is loaded.
   */
  reactions(roomId: number, messageId: number, reactions: ReactionDto[]): Promise<void> {
    this.store.commit('messages/setReactions', { roomId, messageId, reactions });
    const message = this.store.state.messages.rooms[roomId]?.byId[messageId];
    // A plain copy: the store's arrays are reactive proxies, which IndexedDB cannot clone.
    return message
      ? this.db.putMessages([
          {
            ...message,
            mentions: [...message.mentions],
            attachments: (message.attachments ?? []).map((file) => ({ ...file })),
            reactions,
          },
        ])
      : Promise.resolve();
  }

  /** The composer's unsent text of a room or thread (empty: none). */
  draft(key: string, text: string): Promise<void> {
    this.store.commit('messages/setDraft', { key, text });
    return this.db.putDraft(key, text);
  }

  /** A message written here, shown at once and queued until the server confirms it. */
  async pending(pending: PendingMessage): Promise<void> {
    // On disk before it shows as "Sending…": a reload right after must not lose it. Shown even if the disk fails.
    try {
      await this.db.queue(pending);
    } finally {
      this.store.commit('messages/addPending', pending);
    }
  }

  /** The server's copy replaces the pending one (by localId). The outbox entry is removed by whoever sent it. */
  confirm(localId: string, message: MessageDto): Promise<void> {
    this.store.commit('messages/upsert', [message]);
    this.store.commit('messages/removePending', { roomId: message.roomId, localId });
    return this.db.putMessages([message]);
  }

  /** The newest page of a room (`at`: server time of the request, the next resync's `since`). */
  async newestPage(roomId: number, messages: MessageDto[], hasMore: boolean, at: number): Promise<void> {
    this.store.commit('messages/upsert', messages);
    this.store.commit('messages/setLoaded', { roomId, hasMore });
    this.store.commit('messages/setSyncedAt', { roomId, at });
    await this.db.putMessages(messages);
    await this.db.putSync(roomId, at, hasMore);
  }

  /** An older page (scrolling up). */
  olderPage(roomId: number, messages: MessageDto[], hasMore: boolean): Promise<void> {
    this.store.commit('messages/upsert', messages);
    this.store.commit('messages/setHasMore', { roomId, hasMore });
    return this.db.putMessages(messages);
  }

  /** One room of a message.sync reply; `gap`: too much happened, the room starts over from its newest page. */
  async synced(room: { roomId: number; gap: boolean; messages: MessageDto[] }, serverTime: number): Promise<void> {
    const { store } = this;
    if (room.gap) {
      store.commit('messages/resetRoom', room.roomId);
      await this.db.clearRoomMessages(room.roomId);
      store.commit('messages/setHasMore', { roomId: room.roomId, hasMore: true });
    }
    store.commit('messages/upsert', room.messages);
    const hasMore = () => store.state.messages.rooms[room.roomId]?.hasMore ?? true;
    store.commit('messages/setLoaded', { roomId: room.roomId, hasMore: hasMore() });
    store.commit('messages/setSyncedAt', { roomId: room.roomId, at: serverTime });
    await this.db.putMessages(room.messages);
    await this.db.putSync(room.roomId, serverTime, hasMore());
  }

  /** A room I am in, with my state and its channel when they come along (create, room.added). */
  async room(room: RoomDto, state?: RoomStateDto, channel?: ChannelDto | null): Promise<void> {
    if (channel) {
      this.store.commit('rooms/upsertChannel', channel);
    }
    this.store.commit('rooms/upsertRoom', room);
    if (state) {
      this.store.commit('rooms/setState', state);
    }
    if (channel) {
      await this.db.putChannel(channel);
    }
    await this.db.putRoom(room, state);
  }

  roomState(state: RoomStateDto): Promise<void> {
    this.store.commit('rooms/setState', state);
    return this.db.putState(state);
  }

  /** Left, deleted or no longer mine: the room and its messages go from both copies. */
  removeRoom(roomId: number): Promise<void> {
    this.store.commit('rooms/removeRoom', roomId);
    this.store.commit('messages/dropRoom', roomId);
    return this.db.deleteRoom(roomId);
  }

  channel(channel: ChannelDto): Promise<void> {
    this.store.commit('rooms/upsertChannel', channel);
    return this.db.putChannel(channel);
  }

  removeChannel(channelId: number): Promise<void> {
    this.store.commit('rooms/removeChannel', channelId);
    return this.db.deleteChannel(channelId);
  }

  user(user: UserDto): Promise<void> {
    this.store.commit('users/upsert', user);
    return this.db.putUser(user);
  }

  /** presence.changed: the usersSince delta does not refresh lastSeenAt, so the cached directory keeps it. */
  lastSeen(offline: { userId: number; lastSeenAt: number }[]): Promise<void> {
    for (const { userId, lastSeenAt } of offline) {
      this.store.commit('users/setLastSeen', { userId, lastSeenAt });
    }
    const seen = offline.flatMap(({ userId }) => this.store.state.users.byId[userId] ?? []);
    return seen.length > 0 ? this.db.putUsers(seen.map((user) => ({ ...user }))) : Promise.resolve();
  }

  /** Sign-out or another user signing in: nothing of the previous user stays, in memory or on disk. */
  async wipe(): Promise<void> {
    await this.db.wipe();
    this.store.commit('session/setMe', null);
    this.store.commit('users/setAll', []);
    this.store.commit('users/setSyncedAt', null);
    this.store.commit('rooms/setAll', { rooms: [], states: [], channels: [] });
  }
}
