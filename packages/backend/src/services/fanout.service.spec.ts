import { serverEvents, type MessageDto, type RoomDto, type ServerEventType } from '@pychat/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bus } from '../bus/bus';
import { decodeEnvelope, type Target } from '../bus/envelope';
import { DomainEventBus, type DomainEvents } from './events';
import { FanoutService } from './fanout.service';

/** A bus that only records what was published. */
function recordingBus() {
  const published: string[] = [];
  const bus: Bus = {
    kind: 'memory',
    publish: vi.fn(async (message: string) => {
      published.push(message);
    }),
    subscribe: vi.fn(async () => undefined),
    state: () => 'up',
    close: vi.fn(async () => undefined),
  };
  return { bus, published };
}

interface Published {
  target: Target;
  type: ServerEventType;
  data: unknown;
  frame: string;
}

const message: MessageDto = {
  id: 5,
  roomId: 10,
  senderId: 7,
  content: 'hi',
  attachments: [],
  parentId: null,
  threadCount: 0,
  mentions: [],
  createdAt: 1,
  editedAt: null,
  deleted: false,
  reactions: [],
  pinnedAt: null,
  pinnedBy: null,
};
const room: RoomDto = {
  id: 10,
  kind: 'room',
  name: 'ops',
  channelId: 3,
  adminId: 7,
  p2p: false,
  pinsAdminOnly: false,
  memberCount: 1,
  members: [{ userId: 7, lastReadMessageId: 0 }],
};
const channel = { id: 3, name: 'dev', adminId: 7, mainRoomId: 9, isPublic: false, topic: '' };
const state = (roomId: number, volume = 80) => ({ roomId, volume, notifications: true, unread: 0, lastMessageId: 0 });
const call = {
  callId: 'AAAAAAAAAAAAAAAA',
  roomId: 10,
  video: true,
  startedBy: { userId: 7, connId: 'caller' },
  startedAt: 1,
  peers: [{ userId: 7, connId: 'caller' }],
};
const peerEvent = { callId: call.callId, roomId: 10, userId: 8, connId: 'callee' };
const offer = { callId: call.callId, fromUserId: 7, fromConnId: 'caller', sdp: 'v=0' };
const transfer = {
  transferId: 'AAAAAAAAAAAAAAAA',
  roomId: 10,
  threadId: null,
  file: { name: 'a.bin', size: 3, type: '', sha256: '0'.repeat(64) },
  from: { userId: 7, connId: 'alice-tab' },
  offeredAt: 1,
};
const accepted = { transferId: transfer.transferId, userId: 8, connId: 'bob-tab', received: 0 };
const user = { id: 7, username: 'bob', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
const settings = {
  showWhenITyping: true,
  embeddedYoutube: true,
  highlightCode: true,
  messageSound: true,
  incomingFileCallSound: true,
  onlineChangeSound: false,
  logs: 'error' as const,
  theme: 'dark' as const,
};

describe(FanoutService.name, () => {
  let events: DomainEventBus;
  let published: string[];
  let bus: Bus;

  beforeEach(() => {
    ({ bus, published } = recordingBus());
    events = new DomainEventBus();
    new FanoutService(bus).register(events);
  });

  /** Every published envelope, decoded; each frame must be valid for its type in the protocol package. */
  function decoded(): Published[] {
    return published.map((envelope) => {
      const { target, frame } = decodeEnvelope(envelope);
      const { type, data } = JSON.parse(frame) as { type: ServerEventType; data: unknown };
      expect(Object.keys(serverEvents)).toContain(type);
      expect(() => serverEvents[type].parse(data), `frame ${type} matches its schema`).not.toThrow();
      return { target, type, data, frame };
    });
  }

  async function emitted<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): Promise<Published[]> {
    await events.emit(name, payload);
    return decoded();
  }

  // One row per domain event that goes out as a single envelope: the event, its frame and its audience.
  const single: {
    [K in keyof DomainEvents]: [K, DomainEvents[K], Target, ServerEventType, unknown];
  }[keyof DomainEvents][] = [
    ['message.edited', { message }, { room: 10 }, 'message.edited', { message }],
    ['message.deleted', { message }, { room: 10 }, 'message.deleted', { message }],
    ['message.pinned', { message }, { room: 10 }, 'message.pinned', { message }],
    [
      'message.reactions',
      { roomId: 10, messageId: 5, reactions: [{ emoji: '👍', userIds: [7] }] },
      { room: 10 },
      'message.reactions',
      { roomId: 10, messageId: 5, reactions: [{ emoji: '👍', userIds: [7] }] },
    ],
    [
      'message.read',
      { roomId: 10, userId: 7, lastReadMessageId: 5 },
      { room: 10 },
      'message.read',
      { roomId: 10, userId: 7, lastReadMessageId: 5 },
    ],
    [
      'typing.started',
      { roomId: 10, userId: 7 },
      { room: 10, exceptUser: 7 },
      'typing.started',
      { roomId: 10, userId: 7 },
    ],
    ['room.updated', { room }, { room: 10 }, 'room.updated', { room }],
    [
      'room.membersRemoved',
      { roomId: 10, userIds: [7, 8] },
      { users: [7, 8], leave: 10 },
      'room.removed',
      { roomId: 10 },
    ],
    ['room.settingsChanged', { userId: 7, state: state(10) }, { users: [7] }, 'room.settings', { state: state(10) }],
    ['channel.added', { channel, userIds: [7, 8] }, { users: [7, 8] }, 'channel.added', { channel }],
    ['channel.updated', { channel, userIds: [7, 8] }, { users: [7, 8] }, 'channel.updated', { channel }],
    ['channel.removed', { channelId: 3, userIds: [8] }, { users: [8] }, 'channel.removed', { channelId: 3 }],
    [
      'presence.changed',
      { online: [7], offline: [{ userId: 8, lastSeenAt: 99 }] },
      { presence: true },
      'presence.changed',
      { online: [7], offline: [{ userId: 8, lastSeenAt: 99 }] },
    ],
    ['room.online', { roomId: 10, online: 42 }, { roomOnline: 10 }, 'room.online', { roomId: 10, online: 42 }],
    ['user.created', { user }, { all: true }, 'user.created', { user }],
    ['user.updated', { user }, { all: true }, 'user.updated', { user }],
    [
      'session.ended',
      { sessionIds: [4, 7], reason: 'password-reset' },
      { sessions: [4, 7], close: true },
      'session.ended',
      { reason: 'password-reset' },
    ],
    ['settings.updated', { userId: 7, settings }, { users: [7] }, 'settings.updated', { settings }],
    [
      'call.started',
      { call },
      // The starter's own device knows; its other tabs ring like everyone's.
      { room: 10, exceptConn: 'caller' },
      'call.incoming',
      { call },
    ],
    ['call.joined', peerEvent, { room: 10 }, 'call.joined', peerEvent],
    ['call.declined', peerEvent, { room: 10 }, 'call.declined', peerEvent],
    ['call.left', { ...peerEvent, reason: 'hangup' }, { room: 10 }, 'call.left', { ...peerEvent, reason: 'hangup' }],
    [
      'call.ended',
      { callId: call.callId, roomId: 10 },
      { room: 10 },
      'call.ended',
      { callId: call.callId, roomId: 10 },
    ],
    [
      'rtc.signal',
      { toConnId: 'callee', type: 'rtc.offer', data: offer },
      // One device, never a room or a user.
      { conn: 'callee' },
      'rtc.offer',
      offer,
    ],
    [
      'transfer.offered',
      { transfer },
      // Every device of the other members; the sender's own user is left out.
      { room: 10, exceptUser: 7 },
      'transfer.incoming',
      { transfer },
    ],
    [
      'transfer.withdrawn',
      { transferId: transfer.transferId, roomId: 10, senderId: 7 },
      { room: 10, exceptUser: 7 },
      'transfer.cancelled',
      { transferId: transfer.transferId, connId: null },
    ],
    [
      'transfer.toDevice',
      { toConnId: 'bob-tab', type: 'transfer.accepted', data: accepted },
      { conn: 'bob-tab' },
      'transfer.accepted',
      accepted,
    ],
    [
      'p2p.toDevice',
      { toConnId: 'bob-tab', type: 'p2p.joined', data: { roomId: 10, userId: 7, connId: 'alice-tab' } },
      { conn: 'bob-tab' },
      'p2p.joined',
      { roomId: 10, userId: 7, connId: 'alice-tab' },
    ],
  ];

  it.each(single)('%s publishes one envelope', async (name, payload, target, type, data) => {
    const [only, ...rest] = await emitted(name, payload);

    expect(rest).toEqual([]);
    expect(only.target).toEqual(target);
    expect(only.type).toBe(type);
    expect(only.data).toEqual(data);
  });

  it('has a row for every domain event, so a new event cannot go untested', () => {
    const covered = new Set<string>([
      ...single.map(([name]) => name),
      'message.created',
      'message.resent',
      'room.membersAdded',
    ]);
    const all: Record<keyof DomainEvents, true> = {
      'message.created': true,
      'message.resent': true,
      'message.edited': true,
      'message.deleted': true,
      'message.read': true,
      'message.reactions': true,
      'message.pinned': true,
      'typing.started': true,
      'room.membersAdded': true,
      'room.updated': true,
      'room.membersRemoved': true,
      'room.settingsChanged': true,
      'channel.added': true,
      'channel.updated': true,
      'channel.removed': true,
      'presence.changed': true,
      'room.online': true,
      'user.created': true,
      'session.ended': true,
      'settings.updated': true,
      'user.updated': true,
      'call.started': true,
      'call.joined': true,
      'call.declined': true,
      'call.left': true,
      'call.ended': true,
      'rtc.signal': true,
      'transfer.offered': true,
      'transfer.withdrawn': true,
      'transfer.toDevice': true,
      'p2p.toDevice': true,
    };

    expect([...covered].sort()).toEqual(Object.keys(all).sort());
  });

  describe('message.created', () => {
    it('sends message.new to the whole room, the sender included, with the localId', async () => {
      const [only, ...rest] = await emitted('message.created', { message, localId: 'tab-1' });

      expect(rest).toEqual([]);
      // No exceptUser: the sender's other tabs need the server copy too.
      expect(only.target).toEqual({ room: 10 });
      expect(only).toMatchObject({ type: 'message.new', data: { message, localId: 'tab-1' } });
      expect(only.data).not.toHaveProperty('parentThreadCount');
    });

    it('leaves out a null localId and passes a thread reply count on', async () => {
      const [only] = await emitted('message.created', { message, localId: null, parentThreadCount: 4 });

      expect(only.data).toEqual({ message, parentThreadCount: 4 });
    });
  });

  describe('message.resent', () => {
    it('sends message.new again to the whole room, with the localId', async () => {
      const [only, ...rest] = await emitted('message.resent', { message, localId: 'tab-1' });

      expect(rest).toEqual([]);
      expect(only.target).toEqual({ room: 10 });
      expect(only).toMatchObject({ type: 'message.new', data: { message, localId: 'tab-1' } });
    });
  });

  describe('room.membersAdded', () => {
    it('sends each new member room.added with their own state, joining them to the room', async () => {
      const frames = await emitted('room.membersAdded', {
        room,
        channel,
        states: [
          { userId: 7, state: state(10, 30) },
          { userId: 8, state: state(10, 80) },
        ],
      });

      expect(frames.map(({ target, type, data }) => ({ target, type, data }))).toEqual(
        expect.arrayContaining([
          { target: { users: [7], join: 10 }, type: 'room.added', data: { room, state: state(10, 30), channel } },
          { target: { users: [8], join: 10 }, type: 'room.added', data: { room, state: state(10, 80), channel } },
        ]),
      );
      expect(frames).toHaveLength(2);
    });

    it('publishes nothing when nobody was added', async () => {
      expect(await emitted('room.membersAdded', { room, channel: null, states: [] })).toEqual([]);
    });
  });

  it('serializes the frame once, whatever the number of recipients', async () => {
    await events.emit('channel.removed', { channelId: 3, userIds: Array.from({ length: 50 }, (_, i) => i + 1) });

    expect(bus.publish).toHaveBeenCalledTimes(1);
    expect(decoded()[0].frame).toBe(JSON.stringify({ type: 'channel.removed', data: { channelId: 3 } }));
  });

  it('lets emit resolve only after the publish is done', async () => {
    let release!: () => void;
    vi.mocked(bus.publish).mockImplementationOnce(() => new Promise<void>((resolve) => (release = resolve)));
    let done = false;

    const emitting = events.emit('presence.changed', { online: [7], offline: [] }).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);

    release();
    await emitting;
    expect(done).toBe(true);
  });

  it('reports a publish failure instead of failing the already committed write', async () => {
    const failures: [string, unknown][] = [];
    const reporting = new DomainEventBus((name, error) => failures.push([name, error]));
    new FanoutService(bus).register(reporting);
    vi.mocked(bus.publish).mockRejectedValueOnce(new Error('redis down'));

    await expect(reporting.emit('presence.changed', { online: [7], offline: [] })).resolves.toBeUndefined();
    expect(failures).toEqual([['presence.changed', new Error('redis down')]]);
  });
});
