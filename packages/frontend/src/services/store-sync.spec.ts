import type { ChannelDto, MessageDto, RoomDto, RoomStateDto, UserDto, UserSettingsDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import { EventRouter } from './event-router';
import type { ChatService } from './chat.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import type { NotificationService } from './notification.service';
import { RoomsService } from './rooms.service';
import { StoreSync } from './store-sync';
import type { WsService } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;

/** IndexedDB's object stores, kept in maps: what a reload would read back. */
function memoryDb() {
  const disk = {
    meta: new Map<string, unknown>(),
    users: new Map<number, UserDto>(),
    rooms: new Map<number, RoomDto>(),
    states: new Map<number, RoomStateDto>(),
    channels: new Map<number, ChannelDto>(),
    messages: new Map<number, MessageDto>(),
    syncs: new Map<number, { syncedAt: number; hasMore: boolean }>(),
  };
  const db = {
    saveMe: async (me: UserDto) => void disk.meta.set('me', me),
    saveSettings: async (settings: UserSettingsDto) => void disk.meta.set('settings', settings),
    putUser: async (user: UserDto) => void disk.users.set(user.id, user),
    putUsers: async (users: UserDto[]) => users.forEach((u) => disk.users.set(u.id, u)),
    putRoom: async (room: RoomDto, state?: RoomStateDto) => {
      disk.rooms.set(room.id, room);
      if (state) {
        disk.states.set(state.roomId, state);
      }
    },
    putState: async (state: RoomStateDto) => void disk.states.set(state.roomId, state),
    putChannel: async (channel: ChannelDto) => void disk.channels.set(channel.id, channel),
    deleteChannel: async (id: number) => void disk.channels.delete(id),
    deleteRoom: async (id: number) => {
      disk.rooms.delete(id);
      disk.states.delete(id);
      disk.syncs.delete(id);
      [...disk.messages.values()].filter((m) => m.roomId === id).forEach((m) => disk.messages.delete(m.id));
    },
    putMessages: async (list: MessageDto[]) => list.forEach((m) => disk.messages.set(m.id, m)),
    clearRoomMessages: async (id: number) =>
      [...disk.messages.values()].filter((m) => m.roomId === id).forEach((m) => disk.messages.delete(m.id)),
    putSync: async (roomId: number, syncedAt: number, hasMore: boolean) =>
      void disk.syncs.set(roomId, { syncedAt, hasMore }),
    putDraft: async (key: string, text: string) =>
      void (text ? disk.meta.set(`draft:${key}`, text) : disk.meta.delete(`draft:${key}`)),
  };
  return { disk, db: db as unknown as LocalDbService };
}

const room: RoomDto = {
  id: 7,
  kind: 'room',
  name: 'ops',
  channelId: 1,
  adminId: 1,
  p2p: false,
  pinsAdminOnly: false,
  memberCount: 1,
  members: [{ userId: 1, lastReadMessageId: 0 }],
};
const state: RoomStateDto = { roomId: 7, notifications: true, volume: 2, unread: 0, lastMessageId: 0 };

function msg(id: number, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id,
    roomId: 7,
    senderId: 2,
    content: `m${id}`,
    parentId: null,
    threadCount: 0,
    createdAt: 1,
    editedAt: null,
    deleted: false,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
    mentions: [],
    attachments: [],
    ...extra,
  };
}

describe('StoreSync', () => {
  it('keeps a draft per room and thread in the store and on disk; empty text removes it from both', async () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const sync = new StoreSync(store, db);
    await sync.draft('7:0', 'half a thought');
    await sync.draft('7:12', 'in the thread');
    expect(store.state.messages.drafts).toEqual({ '7:0': 'half a thought', '7:12': 'in the thread' });
    expect(disk.meta.get('draft:7:0')).toBe('half a thought');
    await sync.draft('7:0', '');
    expect(store.state.messages.drafts).toEqual({ '7:12': 'in the thread' });
    expect(disk.meta.has('draft:7:0')).toBe(false);
  });

  it('puts a room, its state and its channel in the store and on disk alike', async () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const channel: ChannelDto = { id: 3, name: 'eng', adminId: 1, mainRoomId: 6, isPublic: false, topic: '' };
    await new StoreSync(store, db).room({ ...room, channelId: 3 }, state, channel);
    expect(store.state.rooms.byId[7]?.name).toBe('ops');
    expect(store.state.rooms.states[7]).toEqual(state);
    expect(store.state.rooms.channels[3]).toEqual(channel);
    expect(disk.rooms.get(7)?.name).toBe('ops');
    expect(disk.states.get(7)).toEqual(state);
    expect(disk.channels.get(3)).toEqual(channel);
  });

  it('keeps a history page, its hasMore and sync time in both copies; removing the room drops it from both', async () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const sync = new StoreSync(store, db);
    await sync.room(room, state);
    await sync.newestPage(7, [msg(10), msg(11)], true, 5_000);
    expect(Object.keys(store.state.messages.rooms[7]?.byId ?? {})).toEqual(['10', '11']);
    expect(store.state.messages.rooms[7]).toMatchObject({ loaded: true, hasMore: true, syncedAt: 5_000 });
    expect([...disk.messages.keys()]).toEqual([10, 11]);
    expect(disk.syncs.get(7)).toEqual({ syncedAt: 5_000, hasMore: true });

    await sync.removeRoom(7);
    expect(store.state.rooms.byId[7]).toBeUndefined();
    expect(store.state.messages.rooms[7]).toBeUndefined();
    expect(disk.rooms.size + disk.messages.size + disk.syncs.size).toBe(0);
  });

  it('a sync gap starts the room over in both copies', async () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const sync = new StoreSync(store, db);
    await sync.newestPage(7, [msg(1), msg(2)], false, 100);
    await sync.synced({ roomId: 7, gap: true, messages: [msg(90)] }, 200);
    expect(Object.keys(store.state.messages.rooms[7]?.byId ?? {})).toEqual(['90']);
    expect([...disk.messages.keys()]).toEqual([90]);
    expect(store.state.messages.rooms[7]).toMatchObject({ hasMore: true, syncedAt: 200 });
    expect(disk.syncs.get(7)).toEqual({ syncedAt: 200, hasMore: true });
  });
});

// Before the one apply path, these replies and frames changed the store only: a reload (or offline start) showed the
// old name and the old settings from IndexedDB.
describe('changes reach IndexedDB whichever path applies them', () => {
  it('a room renamed through the room.update reply is renamed on disk too', async () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const request = vi.fn().mockResolvedValue({ room: { ...room, name: 'renamed' } });
    const rooms = new RoomsService(store, { isOpen: true, request } as unknown as WsService, db);
    await rooms.update({ roomId: 7, name: 'renamed' });
    expect(store.state.rooms.byId[7]?.name).toBe('renamed');
    expect(disk.rooms.get(7)?.name).toBe('renamed');
  });

  it('settings saved in another tab (settings.updated) are on disk for the next offline start', () => {
    const store = createAppStore();
    const { db, disk } = memoryDb();
    const router = new EventRouter(store, db, {} as ChatService, {} as NotificationService, logger, {
      onReady: vi.fn(),
      onSessionEnded: vi.fn(),
    });
    const settings: UserSettingsDto = { ...store.state.session.settings, theme: 'light' };
    router.route({ type: 'settings.updated', data: { settings } });
    expect(store.state.session.settings).toEqual(settings);
    expect(disk.meta.get('settings')).toEqual(settings);
  });
});
