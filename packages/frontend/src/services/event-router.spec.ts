import type { MessageDto, RoomDto, ServerEventFrame, ServerMessages } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import { getter } from '../store/getters';
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
  const fns = new Map<PropertyKey, ReturnType<typeof vi.fn>>();
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        if (!fns.has(key)) {
          fns.set(key, vi.fn().mockResolvedValue(undefined));
        }
        return fns.get(key);
      },
    },
  ) as unknown as LocalDbService;
}

function setup(schedule?: (flush: () => void) => void) {
  const store = createAppStore();
  store.commit('session/setMe', me);
  const db = fakeDb();
  const chat = new ChatService(store, { isOpen: false } as unknown as WsService, db, logger);
  const notifications = { onMessage: vi.fn(), onPresence: vi.fn() } as unknown as NotificationService;
  const hooks = { onReady: vi.fn(), onSessionEnded: vi.fn(), schedule };
  const router = new EventRouter(store, db, chat, notifications, logger, hooks);
  const route = (frame: ServerEventFrame) => router.route(frame);
  return { store, route, hooks, notifications, db };
}

const bob = { id: 2, username: 'bob', sex: 'secret' as const, thumbnail: null, lastSeenAt: 100 };
const carol = { id: 3, username: 'carol', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

function ready(data: Partial<ServerMessages['session.ready']>): ServerEventFrame {
  return {
    type: 'session.ready',
    data: {
      protocolVersion: 2,
      connectionId: 'c',
      serverTime: 50_000,
      me,
      settings: { ...createAppStore().state.session.settings },
      usersSince: null,
      users: [me],
      channels: [],
      rooms: [],
      states: [],
      ...data,
    },
  };
}

function bigRoom(extra: Partial<RoomDto> = {}): RoomDto {
  return {
    id: 1,
    kind: 'channel',
    name: 'all',
    channelId: 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 5000,
    members: null,
    ...extra,
  };
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
    attachments: [],
    createdAt: 1,
    editedAt: null,
    deleted: false,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
    ...extra,
  };
}

describe('EventRouter', () => {
  it('applies session.ready to every store module and calls onReady', () => {
    const { store, route, hooks } = setup();
    route({
      type: 'session.ready',
      data: {
        protocolVersion: 2,
        connectionId: 'c',
        serverTime: Date.now() + 5_000,
        me,
        settings: { ...store.state.session.settings, theme: 'light' },
        usersSince: null,
        users: [me],
        channels: [{ id: 1, name: 'all', adminId: null, mainRoomId: 1, isPublic: false, topic: '' }],
        rooms: [
          {
            id: 1,
            kind: 'channel',
            name: 'all',
            channelId: 1,
            adminId: null,
            p2p: false,
            pinsAdminOnly: false,
            memberCount: 0,
            members: [],
          },
        ],
        states: [{ roomId: 1, volume: 80, notifications: false, unread: 3, lastMessageId: 9 }],
      },
    });
    expect(store.state.session.settings.theme).toBe('light');
    expect(store.state.rooms.states[1]?.unread).toBe(3);
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

  it('applies the message.new frames of one frame together, all of them in arrival order, in one store change', () => {
    const flushes: (() => void)[] = [];
    const { store, route, notifications, db } = setup((flush) => flushes.push(flush));
    store.commit('rooms/setState', { roomId: 1, volume: 80, notifications: true, unread: 0, lastMessageId: 0 });
    const upserts = vi.fn();
    store.subscribe((mutation) => mutation.type === 'messages/upsert' && upserts(mutation.payload));
    // Out of order across the frame, with a resend of one of them.
    for (const id of [21, 23, 22, 23, 24]) {
      route({ type: 'message.new', data: { message: msg(id) } });
    }
    expect(store.state.messages.rooms[1]).toBeUndefined();
    expect(flushes).toHaveLength(1);
    flushes[0]?.();
    expect(upserts).toHaveBeenCalledTimes(1);
    expect(db.putMessages).toHaveBeenCalledTimes(1);
    const timeline = getter(store, 'messages/timeline')(1);
    expect(timeline.map((i) => i.kind === 'message' && i.message.id)).toEqual([21, 22, 23, 24]);
    // As frame by frame: 22, overtaken by 23, does not count (noteMessage only moves forwards).
    expect(store.state.rooms.states[1]?.unread).toBe(3);
    expect(store.state.rooms.states[1]?.lastMessageId).toBe(24);
    expect(vi.mocked(notifications.onMessage).mock.calls.map(([m]) => m.id)).toEqual([21, 23, 22, 24]);
  });

  it('applies queued message.new frames before any other frame: my read receipt after them leaves nothing unread', () => {
    const flushes: (() => void)[] = [];
    const { store, route } = setup((flush) => flushes.push(flush));
    store.commit('rooms/setState', { roomId: 1, volume: 80, notifications: true, unread: 0, lastMessageId: 0 });
    route({ type: 'message.new', data: { message: msg(30) } });
    route({ type: 'message.new', data: { message: msg(31) } });
    // Read on another device of mine, after both arrived there.
    route({ type: 'message.read', data: { roomId: 1, userId: 1, lastReadMessageId: 31 } });
    expect(store.state.messages.rooms[1]?.byId[31]).toBeDefined();
    // The frame's own flush then finds nothing left to apply (and counts nothing twice).
    flushes[0]?.();
    expect(store.state.rooms.states[1]?.unread).toBe(0);
    route({ type: 'message.new', data: { message: msg(32) } });
    expect(flushes).toHaveLength(2);
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

  it('applies message.reactions to the held message, in the store and in IndexedDB', () => {
    const { store, route, db } = setup();
    route({ type: 'message.new', data: { message: msg(10, { roomId: 5 }) } });
    const reactions = [{ emoji: '👍', userIds: [2, 1] }];
    route({ type: 'message.reactions', data: { roomId: 5, messageId: 10, reactions } });
    expect(store.state.messages.rooms[5]?.byId[10]?.reactions).toEqual(reactions);
    expect(db.putMessages).toHaveBeenLastCalledWith([expect.objectContaining({ id: 10, reactions })]);
    // What goes to IndexedDB must survive its structured clone (a Vue proxy does not).
    const [[saved]] = vi.mocked(db.putMessages).mock.lastCall ?? [[]];
    expect(() => structuredClone(saved)).not.toThrow();
    // A message this tab does not hold: nothing to apply, its reactions come when it is loaded.
    route({ type: 'message.reactions', data: { roomId: 5, messageId: 99, reactions } });
    expect(store.state.messages.rooms[5]?.byId[99]).toBeUndefined();
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
      pinsAdminOnly: false,
      memberCount: 0,
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
      pinsAdminOnly: false,
      memberCount: 0,
      members: [],
    });
    const user = { id: 9, username: 'new', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
    route({ type: 'user.created', data: { user } });
    expect(store.state.users.byId[9]?.username).toBe('new');
    expect(store.state.rooms.byId[1]?.members.map((m) => m.userId)).toEqual([9]);
    expect(store.state.rooms.byId[1]?.memberCount).toBe(1);
  });

  it('applies user.updated to the directory, and to me when it is mine', () => {
    const { store, route } = setup();
    store.commit('session/setMe', me);
    store.commit('users/setAll', [me, bob]);
    route({ type: 'user.updated', data: { user: { ...bob, username: 'robert' } } });
    route({ type: 'user.updated', data: { user: { ...me, username: 'renamed' } } });
    expect(store.state.users.byId[bob.id]?.username).toBe('robert');
    expect(store.state.users.byId[me.id]?.username).toBe('renamed');
    expect(store.state.session.me?.username).toBe('renamed');
  });

  it('ends the session on session.ended', () => {
    const { route, hooks } = setup();
    route({ type: 'session.ended', data: { reason: 'signed-out' } });
    expect(hooks.onSessionEnded).toHaveBeenCalledOnce();
  });

  it('replaces the whole directory when session.ready has no usersSince, and keeps its serverTime', () => {
    const { store, route, db } = setup();
    store.commit('users/setAll', [me, bob]);
    route(ready({ usersSince: null, serverTime: 60_000, users: [me, carol] }));
    expect(Object.keys(store.state.users.byId)).toEqual(['1', '3']);
    expect(store.state.users.syncedAt).toBe(60_000);
    expect(db.saveSession).toHaveBeenCalledWith(expect.objectContaining({ usersSince: null, serverTime: 60_000 }));
  });

  it('merges the users changed since usersSince into the cached directory', () => {
    const { store, route } = setup();
    store.commit('users/setAll', [me, bob]);
    store.commit('users/setSyncedAt', 40_000);
    route(ready({ usersSince: 40_000, serverTime: 60_000, users: [carol, { ...me, username: 'renamed' }] }));
    expect(Object.keys(store.state.users.byId)).toEqual(['1', '2', '3']);
    expect(store.state.users.byId[1]?.username).toBe('renamed');
    expect(store.state.users.byId[2]?.lastSeenAt).toBe(100);
    expect(store.state.users.syncedAt).toBe(60_000);
  });

  it('applies a presence.changed batch: online, offline with last-seen time, and stops their typing', () => {
    const { store, route, db } = setup();
    store.commit('users/setAll', [me, bob, carol]);
    route(ready({ usersSince: 1, users: [] }));
    store.commit('presence/setOnline', [1, 2]);
    route({ type: 'typing.started', data: { roomId: 4, userId: 2 } });
    route({ type: 'presence.changed', data: { online: [3], offline: [{ userId: 2, lastSeenAt: 1234 }] } });
    expect(store.state.presence.online).toEqual({ 1: true, 3: true });
    expect(store.state.users.byId[2]?.lastSeenAt).toBe(1234);
    expect(store.state.presence.typing[4]).toEqual({});
    // Kept in the cache: the next usersSince delta will not refresh it.
    expect(db.putUsers).toHaveBeenCalledWith([expect.objectContaining({ id: 2, lastSeenAt: 1234 })]);
  });

  it('keeps a big room without its member list, and takes a read receipt for it without crashing', () => {
    const { store, route } = setup();
    route(ready({ rooms: [bigRoom()] }));
    expect(store.state.rooms.byId[1]).toMatchObject({ memberCount: 5000, members: [], membersComplete: false });
    expect(store.getters['rooms/needsMembers'](1)).toBe(true);
    route({ type: 'message.read', data: { roomId: 1, userId: 2, lastReadMessageId: 7 } });
    expect(store.state.rooms.byId[1]?.members).toEqual([{ userId: 2, lastReadMessageId: 7 }]);
    route({ type: 'message.read', data: { roomId: 99, userId: 2, lastReadMessageId: 7 } });
  });

  it('keeps loaded members of a big room across room.updated, but marks them possibly stale', () => {
    const { store, route } = setup();
    route(ready({ rooms: [bigRoom()] }));
    store.commit('rooms/setMembers', { roomId: 1, members: [{ userId: 1, lastReadMessageId: 3 }] });
    expect(store.state.rooms.byId[1]?.membersComplete).toBe(true);
    route({ type: 'room.updated', data: { room: bigRoom({ name: 'everyone', memberCount: 5001 }) } });
    expect(store.state.rooms.byId[1]).toMatchObject({
      name: 'everyone',
      memberCount: 5001,
      members: [{ userId: 1, lastReadMessageId: 3 }],
      membersComplete: false,
    });
  });

  it('takes an inline member list of a small room as complete, as before', () => {
    const { store, route } = setup();
    const members = [
      { userId: 1, lastReadMessageId: 0 },
      { userId: 2, lastReadMessageId: 4 },
    ];
    route(ready({ rooms: [bigRoom({ memberCount: 2, members })] }));
    expect(store.state.rooms.byId[1]).toMatchObject({ members, membersComplete: true });
    expect(store.getters['rooms/needsMembers'](1)).toBe(false);
  });
});

describe('call frames', () => {
  it('reach CallService: the connId from session.ready, then every call.* and rtc.* frame', () => {
    const store = createAppStore();
    store.commit('session/setMe', me);
    const db = fakeDb();
    const chat = new ChatService(store, { isOpen: false } as unknown as WsService, db, logger);
    const calls = {
      onReady: vi.fn().mockResolvedValue(undefined),
      onIncoming: vi.fn(),
      onJoined: vi.fn(),
      onDeclined: vi.fn(),
      onLeft: vi.fn(),
      onEnded: vi.fn(),
      onOffer: vi.fn(),
      onAnswer: vi.fn(),
      onCandidate: vi.fn(),
    };
    const hooks = { onReady: vi.fn(), onSessionEnded: vi.fn() };
    const router = new EventRouter(store, db, chat, {} as NotificationService, logger, hooks, calls);
    router.route(ready({ connectionId: 'conn7' }));
    expect(calls.onReady).toHaveBeenCalledWith('conn7');
    const callId = 'AAAAAAAAAAAAAAAA';
    const peer = { callId, roomId: 5, userId: 2, connId: 'b1' };
    const sdp = { callId, fromUserId: 2, fromConnId: 'b1', sdp: 'v=0' };
    const call = { callId, roomId: 5, video: true, startedBy: { userId: 2, connId: 'b1' }, startedAt: 1, peers: [] };
    router.route({ type: 'call.incoming', data: { call } });
    router.route({ type: 'call.joined', data: peer });
    router.route({ type: 'call.declined', data: peer });
    router.route({ type: 'call.left', data: { ...peer, reason: 'hangup' } });
    router.route({ type: 'call.ended', data: { callId, roomId: 5 } });
    router.route({ type: 'rtc.offer', data: sdp });
    router.route({ type: 'rtc.answer', data: sdp });
    router.route({
      type: 'rtc.candidate',
      data: { callId, fromUserId: 2, fromConnId: 'b1', candidate: { candidate: '' } },
    });
    expect(calls.onIncoming).toHaveBeenCalledWith(call);
    expect(calls.onJoined).toHaveBeenCalledWith(peer);
    expect(calls.onDeclined).toHaveBeenCalledWith(peer);
    expect(calls.onLeft).toHaveBeenCalledWith({ ...peer, reason: 'hangup' });
    expect(calls.onEnded).toHaveBeenCalledWith({ callId, roomId: 5 });
    expect(calls.onOffer).toHaveBeenCalledWith(sdp);
    expect(calls.onAnswer).toHaveBeenCalledWith(sdp);
    expect(calls.onCandidate).toHaveBeenCalledTimes(1);
  });
});

describe('transfer frames', () => {
  it('reach FileTransferService: the connId from session.ready, then every transfer.* frame', () => {
    const store = createAppStore();
    store.commit('session/setMe', me);
    const db = fakeDb();
    const chat = new ChatService(store, { isOpen: false } as unknown as WsService, db, logger);
    const transfers = {
      onReady: vi.fn(),
      onIncoming: vi.fn(),
      onAccepted: vi.fn(),
      onDeclined: vi.fn(),
      onCancelled: vi.fn(),
      onSignal: vi.fn(),
    };
    const hooks = { onReady: vi.fn(), onSessionEnded: vi.fn() };
    const router = new EventRouter(store, db, chat, {} as NotificationService, logger, hooks, null, transfers);
    router.route(ready({ connectionId: 'conn7' }));
    expect(transfers.onReady).toHaveBeenCalledWith('conn7');
    const transferId = 'AAAAAAAAAAAAAAAA';
    const transfer = {
      transferId,
      roomId: 5,
      threadId: null,
      file: { name: 'a.bin', size: 3, type: '', sha256: 'a'.repeat(64) },
      from: { userId: 2, connId: 'b1' },
      offeredAt: 1,
    };
    const device = { transferId, userId: 2, connId: 'b1' };
    const signal = { transferId, fromUserId: 2, fromConnId: 'b1', signal: { candidate: { candidate: '' } } };
    router.route({ type: 'transfer.incoming', data: { transfer } });
    router.route({ type: 'transfer.accepted', data: { ...device, received: 7 } });
    router.route({ type: 'transfer.declined', data: device });
    router.route({ type: 'transfer.cancelled', data: { transferId, connId: null } });
    router.route({ type: 'transfer.signal', data: signal });
    expect(transfers.onIncoming).toHaveBeenCalledWith(transfer);
    expect(transfers.onAccepted).toHaveBeenCalledWith({ ...device, received: 7 });
    expect(transfers.onDeclined).toHaveBeenCalledWith(device);
    expect(transfers.onCancelled).toHaveBeenCalledWith({ transferId, connId: null });
    expect(transfers.onSignal).toHaveBeenCalledWith(signal);
  });
});
