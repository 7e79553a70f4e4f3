import type { ChannelDto, MessageDto, RoomDto, RoomStateDto, UserDto, UserSettingsDto } from '@pychat/protocol';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PendingMessage } from '../store/types';

/** `meta` key of the `serverTime` the cached user directory is current as of (the next `usersSince`). */
const USERS_SYNCED_AT = 'usersSyncedAt';

/** The server refuses a `usersSince` that is not a whole number of ms before the upgrade: never send one. */
function syncedAt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** How many recent messages per room are kept for offline reading. */
export const CACHED_MESSAGES_PER_ROOM = 300;

/**
 * A message of a p2p room (docs/p2p.md §7): kept only here, in each browser of its two users. `edited` counts
 * edits and the delete; between two copies the higher counter wins.
 */
export interface P2pMessage {
  /** The author's clock in ms × 1000 plus 3 random digits: unique enough in a room, and sorts by time. */
  id: number;
  roomId: number;
  senderId: number;
  content: string | null;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  edited: number;
}

interface PychatDb extends DBSchema {
  meta: { key: string; value: unknown };
  users: { key: number; value: UserDto };
  rooms: { key: number; value: RoomDto };
  states: { key: number; value: RoomStateDto };
  channels: { key: number; value: ChannelDto };
  messages: { key: number; value: MessageDto; indexes: { byRoom: [number, number] } };
  outbox: { key: string; value: PendingMessage & { queuedAt: number } };
  syncs: { key: number; value: { roomId: number; syncedAt: number; hasMore: boolean } };
  /** P2P rooms' messages: never sent to the server, so separate from its cached history (`messages`). */
  p2p: { key: number; value: P2pMessage; indexes: { byRoom: [number, number] } };
}

export interface Snapshot {
  me: UserDto;
  settings: UserSettingsDto | undefined;
  users: UserDto[];
  /** `serverTime` of the session.ready `users` is current as of; null: not a whole directory (or a v1 cache). */
  usersSyncedAt: number | null;
  rooms: RoomDto[];
  states: RoomStateDto[];
  channels: ChannelDto[];
  messages: MessageDto[];
  outbox: PendingMessage[];
  syncs: { roomId: number; syncedAt: number; hasMore: boolean }[];
  /** Unsent composer text by draftKey (`<roomId>:<threadId or 0>`). */
  drafts: Record<string, string>;
}

/**
 * The browser's copy of the chat in IndexedDB (pychat used WebSQL, which browsers removed): the app
 * renders from it before the socket opens, and messages written offline wait in `outbox`.
 */
export class LocalDbService {
  #db: Promise<IDBPDatabase<PychatDb>> | null = null;

  constructor(private readonly name = 'pychat') {}

  private db(): Promise<IDBPDatabase<PychatDb>> {
    this.#db ??= openDB<PychatDb>(this.name, 2, {
      upgrade(db, oldVersion) {
        if (oldVersion < 2) {
          db.createObjectStore('p2p', { keyPath: 'id' }).createIndex('byRoom', ['roomId', 'id']);
        }
        if (oldVersion >= 1) {
          return;
        }
        db.createObjectStore('meta');
        db.createObjectStore('users', { keyPath: 'id' });
        db.createObjectStore('rooms', { keyPath: 'id' });
        db.createObjectStore('states', { keyPath: 'roomId' });
        db.createObjectStore('channels', { keyPath: 'id' });
        db.createObjectStore('messages', { keyPath: 'id' }).createIndex('byRoom', ['roomId', 'id']);
        db.createObjectStore('outbox', { keyPath: 'localId' });
        db.createObjectStore('syncs', { keyPath: 'roomId' });
      },
    });
    return this.#db;
  }

  async load(): Promise<Snapshot | null> {
    const db = await this.db();
    const me = (await db.get('meta', 'me')) as UserDto | undefined;
    if (!me) {
      return null;
    }
    // A room cached by a v1 client has no memberCount; its inline list (always present in v1) gives it.
    const rooms = (await db.getAll('rooms')).map((room) => ({
      ...room,
      memberCount: (room as Partial<RoomDto>).memberCount ?? room.members?.length ?? 0,
    }));
    const messages: MessageDto[] = [];
    for (const room of rooms) {
      // Newest N per room, read backwards along the (roomId, id) index.
      let cursor = await db
        .transaction('messages')
        .store.index('byRoom')
        .openCursor(IDBKeyRange.bound([room.id, 0], [room.id, Number.MAX_SAFE_INTEGER]), 'prev');
      let count = 0;
      while (cursor && count < CACHED_MESSAGES_PER_ROOM) {
        // Cached before reactions existed: the server's next copy (sync, history) brings them.
        messages.push({ ...cursor.value, reactions: (cursor.value as Partial<MessageDto>).reactions ?? [] });
        count += 1;
        cursor = await cursor.continue();
      }
    }
    return {
      me,
      settings: (await db.get('meta', 'settings')) as UserSettingsDto | undefined,
      users: await db.getAll('users'),
      usersSyncedAt: syncedAt(await db.get('meta', USERS_SYNCED_AT)),
      rooms,
      states: await db.getAll('states'),
      channels: await db.getAll('channels'),
      messages,
      outbox: (await db.getAll('outbox')).sort((a, b) => a.queuedAt - b.queuedAt),
      syncs: await db.getAll('syncs'),
      drafts: await this.#drafts(db),
    };
  }

  /** Drafts live in `meta` (`draft:<key>`): no schema upgrade, and sign-out's wipe removes them with the rest. */
  async #drafts(db: Awaited<ReturnType<LocalDbService['db']>>): Promise<Record<string, string>> {
    const drafts: Record<string, string> = {};
    const keys = await db.getAllKeys('meta', IDBKeyRange.bound('draft:', 'draft:\uffff'));
    for (const key of keys) {
      const text = await db.get('meta', key);
      if (typeof text === 'string') {
        drafts[key.slice('draft:'.length)] = text;
      }
    }
    return drafts;
  }

  /** Saves a draft; empty text removes it. */
  async putDraft(key: string, text: string): Promise<void> {
    const db = await this.db();
    await (text ? db.put('meta', text, `draft:${key}`) : db.delete('meta', `draft:${key}`));
  }

  /**
   * The snapshot of a session.ready. Rooms, states and channels are always whole and replace the copy. Users
   * replace it only when `usersSince` is null; otherwise they are the changes since then and are merged. The
   * `serverTime` is stored in the same transaction as the users, so the next connect's `usersSince` always
   * matches the directory on disk.
   */
  async saveSession(data: {
    me: UserDto;
    settings?: UserSettingsDto;
    serverTime: number;
    usersSince: number | null;
    users: UserDto[];
    rooms: RoomDto[];
    states: RoomStateDto[];
    channels: ChannelDto[];
  }): Promise<void> {
    const db = await this.db();
    const tx = db.transaction(['meta', 'users', 'rooms', 'states', 'channels'], 'readwrite');
    await tx.objectStore('meta').put(data.me, 'me');
    if (data.settings) {
      await tx.objectStore('meta').put(data.settings, 'settings');
    }
    await tx.objectStore('meta').put(data.serverTime, USERS_SYNCED_AT);
    const replaced = ['rooms', 'states', 'channels'] as const;
    for (const name of data.usersSince === null ? (['users', ...replaced] as const) : replaced) {
      await tx.objectStore(name).clear();
    }
    await Promise.all([
      ...data.users.map((u) => tx.objectStore('users').put(u)),
      ...data.rooms.map((r) => tx.objectStore('rooms').put(r)),
      ...data.states.map((s) => tx.objectStore('states').put(s)),
      ...data.channels.map((c) => tx.objectStore('channels').put(c)),
    ]);
    await tx.done;
  }

  async saveMe(me: UserDto): Promise<void> {
    await (await this.db()).put('meta', me, 'me');
  }

  /** settings.updated: a reload offline shows what another tab saved last, not the session.ready copy. */
  async saveSettings(settings: UserSettingsDto): Promise<void> {
    await (await this.db()).put('meta', settings, 'settings');
  }

  async putUser(user: UserDto): Promise<void> {
    await (await this.db()).put('users', user);
  }

  async putUsers(users: UserDto[]): Promise<void> {
    const tx = (await this.db()).transaction('users', 'readwrite');
    await Promise.all(users.map((user) => tx.store.put(user)));
    await tx.done;
  }

  async putRoom(room: RoomDto, state?: RoomStateDto): Promise<void> {
    const db = await this.db();
    await db.put('rooms', room);
    if (state) {
      await db.put('states', state);
    }
  }

  async putState(state: RoomStateDto): Promise<void> {
    await (await this.db()).put('states', state);
  }

  async putChannel(channel: ChannelDto): Promise<void> {
    await (await this.db()).put('channels', channel);
  }

  async deleteChannel(channelId: number): Promise<void> {
    await (await this.db()).delete('channels', channelId);
  }

  async deleteRoom(roomId: number): Promise<void> {
    const db = await this.db();
    await db.delete('rooms', roomId);
    await db.delete('states', roomId);
    await db.delete('syncs', roomId);
    const tx = db.transaction('messages', 'readwrite');
    let cursor = await tx.store
      .index('byRoom')
      .openCursor(IDBKeyRange.bound([roomId, 0], [roomId, Number.MAX_SAFE_INTEGER]));
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async putMessages(messages: MessageDto[]): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    const tx = (await this.db()).transaction('messages', 'readwrite');
    await Promise.all(messages.map((m) => tx.store.put(m)));
    await tx.done;
  }

  async clearRoomMessages(roomId: number): Promise<void> {
    const tx = (await this.db()).transaction('messages', 'readwrite');
    let cursor = await tx.store
      .index('byRoom')
      .openCursor(IDBKeyRange.bound([roomId, 0], [roomId, Number.MAX_SAFE_INTEGER]));
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  /** Every message of a p2p room, oldest first (a p2p room's history has no pages). */
  async p2pMessages(roomId: number): Promise<P2pMessage[]> {
    return (await this.db()).getAllFromIndex(
      'p2p',
      'byRoom',
      IDBKeyRange.bound([roomId, 0], [roomId, Number.MAX_SAFE_INTEGER]),
    );
  }

  async putP2pMessages(messages: P2pMessage[]): Promise<void> {
    const tx = (await this.db()).transaction('p2p', 'readwrite');
    await Promise.all(messages.map((m) => tx.store.put(m)));
    await tx.done;
  }

  async putSync(roomId: number, syncedAt: number, hasMore: boolean): Promise<void> {
    await (await this.db()).put('syncs', { roomId, syncedAt, hasMore });
  }

  async queue(pending: PendingMessage): Promise<void> {
    await (await this.db()).put('outbox', { ...pending, queuedAt: Date.now() });
  }

  /** Rewrites a queued message (its files uploaded, or marked failed) in its place: `queuedAt` is kept. */
  async updateQueued(pending: PendingMessage): Promise<void> {
    const tx = (await this.db()).transaction('outbox', 'readwrite');
    const current = await tx.store.get(pending.localId);
    // Discarded meanwhile: it stays gone.
    if (current) {
      await tx.store.put({ ...pending, queuedAt: current.queuedAt });
    }
    await tx.done;
  }

  /** A failed message sent again: back to `sending`, at the end of the queue (as a new message would be). */
  async requeue(localId: string): Promise<PendingMessage | null> {
    const tx = (await this.db()).transaction('outbox', 'readwrite');
    const current = await tx.store.get(localId);
    if (current) {
      delete current.error;
      await tx.store.put({ ...current, status: 'sending', queuedAt: Date.now() });
    }
    await tx.done;
    return current ?? null;
  }

  async unqueue(localId: string): Promise<void> {
    await (await this.db()).delete('outbox', localId);
  }

  async outbox(): Promise<PendingMessage[]> {
    return (await (await this.db()).getAll('outbox')).sort((a, b) => a.queuedAt - b.queuedAt);
  }

  /** Sign-out: nothing of this user stays in the browser. */
  async wipe(): Promise<void> {
    const db = await this.db();
    const names = ['meta', 'users', 'rooms', 'states', 'channels', 'messages', 'outbox', 'syncs', 'p2p'] as const;
    const tx = db.transaction([...names], 'readwrite');
    await Promise.all(names.map((name) => tx.objectStore(name).clear()));
    await tx.done;
  }
}
