import type { MessageDto, ServerEventFrame } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import { ChatService } from './chat.service';
import { EventRouter } from './event-router';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import type { NotificationService } from './notification.service';
import type { WsService } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;
const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

function fakeDb(): LocalDbService {
  return new Proxy({}, { get: () => vi.fn().mockResolvedValue(undefined) }) as unknown as LocalDbService;
}

function setup() {
  const store = createAppStore();
  store.commit('session/setMe', me);
  const db = fakeDb();
  const chat = new ChatService(store, { isOpen: false } as unknown as WsService, db, logger);
  const notifications = { onMessage: vi.fn() } as unknown as NotificationService;
  const hooks = { onReady: vi.fn(), onSessionEnded: vi.fn() };
  const router = new EventRouter(store, db, chat, notifications, logger, hooks);
  const route = (frame: ServerEventFrame) => router.route(frame);
  return { store, route, hooks, notifications };
}

function msg(id: number, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id,
    roomId: 1,
    senderId: 2,
    content: 'hi',
    parentId: null,
    threadCount: 0,
    mentions: [],
    createdAt: 1,
    editedAt: null,
    deleted: false,
    ...extra,
  };
}

describe('EventRouter', () => {
  it('applies session.ready to every store module and calls onReady', () => {
    const { store, route, hooks } = setup();
    route({
      type: 'session.ready',
      data: {
        protocolVersion: 1,
        connectionId: 'c',
        serverTime: Date.now() + 5_000,
        me,
        settings: { ...store.state.session.settings, theme: 'light' },
        users: [me],
        channels: [{ id: 1, name: 'all', adminId: null, mainRoomId: 1 }],
        rooms: [{ id: 1, kind: 'channel', name: 'all', channelId: 1, adminId: null, p2p: false, members: [] }],
        states: [{ roomId: 1, volume: 80, notifications: false, unread: 3, lastMessageId: 9 }],
        online: [1],
      },
    });
    expect(store.state.session.settings.theme).toBe('light');
    expect(store.state.rooms.states[1]?.unread).toBe(3);
    expect(store.state.presence.online[1]).toBe(true);
    expect(store.state.session.serverOffset).toBeGreaterThan(4_000);
    expect(hooks.onReady).toHaveBeenCalledOnce();
  });

  it('swaps my pending copy for the server message by localId, and counts others’ messages as unread', () => {
    const { store, route, notifications } = setup();
    store.commit('rooms/setState', { roomId: 1, volume: 80, notifications: true, unread: 0, lastMessageId: 0 });
    store.commit('messages/addPending', {
      localId: 'L1',
      roomId: 1,
      senderId: 1,
      content: 'mine',
      parentId: null,
      mentions: [],
      createdAt: 1,
      status: 'sending',
    });
    route({ type: 'message.new', data: { message: msg(10, { senderId: 1, content: 'mine' }), localId: 'L1' } });
    expect(store.state.messages.rooms[1]?.pending).toEqual({});
    expect(store.state.messages.rooms[1]?.byId[10]?.content).toBe('mine');
    expect(store.state.rooms.states[1]?.unread).toBe(0);

    route({ type: 'message.new', data: { message: msg(11) } });
    expect(store.state.rooms.states[1]?.unread).toBe(1);
    expect(notifications.onMessage).toHaveBeenCalledTimes(2);
  });

  it('counts and notifies a message delivered twice (a resend after a crash) only once', () => {
    const { store, route, notifications } = setup();
    store.commit('rooms/setState', { roomId: 1, volume: 80, notifications: true, unread: 0, lastMessageId: 0 });
    route({ type: 'message.new', data: { message: msg(12) } });
    route({ type: 'message.new', data: { message: msg(12) } });
    expect(store.state.rooms.states[1]?.unread).toBe(1);
    expect(notifications.onMessage).toHaveBeenCalledTimes(1);
  });

  it('updates the parent’s reply count from a thread reply', () => {
    const { store, route } = setup();
    store.commit('messages/upsert', [msg(5)]);
    route({ type: 'message.new', data: { message: msg(6, { parentId: 5 }), parentThreadCount: 1 } });
    expect(store.state.messages.rooms[1]?.byId[5]?.threadCount).toBe(1);
  });

  it('shows typing until the typist’s message arrives', () => {
    const { store, route } = setup();
    route({ type: 'typing.started', data: { roomId: 1, userId: 2 } });
    expect(Object.keys(store.state.presence.typing[1] ?? {})).toEqual(['2']);
    route({ type: 'message.new', data: { message: msg(7) } });
    expect(store.state.presence.typing[1]).toEqual({});
  });

  it('forgets a room removed from me, with its messages', () => {
    const { store, route } = setup();
    store.commit('rooms/upsertRoom', {
      id: 4,
      kind: 'room',
      name: 'x',
      channelId: 1,
      adminId: null,
      p2p: false,
      members: [],
    });
    store.commit('messages/upsert', [msg(1, { roomId: 4 })]);
    route({ type: 'room.removed', data: { roomId: 4 } });
    expect(store.state.rooms.byId[4]).toBeUndefined();
    expect(store.state.messages.rooms[4]).toBeUndefined();
  });

  it('adds a new user to the user list and to the all room', () => {
    const { store, route } = setup();
    store.commit('rooms/upsertRoom', {
      id: 1,
      kind: 'channel',
      name: 'all',
      channelId: 1,
      adminId: null,
      p2p: false,
      members: [],
    });
    const user = { id: 9, username: 'new', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
    route({ type: 'user.created', data: { user } });
    expect(store.state.users.byId[9]?.username).toBe('new');
    expect(store.state.rooms.byId[1]?.members.map((m) => m.userId)).toEqual([9]);
  });

  it('ends the session on session.ended', () => {
    const { route, hooks } = setup();
    route({ type: 'session.ended', data: { reason: 'signed-out' } });
    expect(hooks.onSessionEnded).toHaveBeenCalledOnce();
  });

  it('marks a user offline with their last-seen time', () => {
    const { store, route } = setup();
    store.commit('users/setAll', [{ ...me, id: 2, username: 'bob' }]);
    route({ type: 'presence.online', data: { userId: 2 } });
    route({ type: 'presence.offline', data: { userId: 2, lastSeenAt: 1234 } });
    expect(store.state.presence.online[2]).toBeUndefined();
    expect(store.state.users.byId[2]?.lastSeenAt).toBe(1234);
  });
});
