import { CLOSE_CODES } from '@pychat/protocol';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { encodeEnvelope, type Target } from '../bus/envelope';
import { Connection, ConnectionRegistry } from './connections';

const log = pino({ level: 'silent' });
let nextId = 1;

/** A connection over a fake open socket whose sends are recorded; live (session.ready already sent). */
function connect(userId: number, options: { live?: boolean; sessionId?: number } = {}) {
  const socket = { readyState: WebSocket.OPEN as number, send: vi.fn(), close: vi.fn() };
  const conn = new Connection(`c${nextId++}`, userId, options.sessionId ?? 1, socket as unknown as WebSocket, log);
  if (options.live ?? true) {
    conn.sendFirst('ready');
    socket.send.mockClear();
  }
  // Fan-out hands ws one pre-encoded Buffer for all sockets; it must still go out as a text frame.
  const sent = () =>
    socket.send.mock.calls.map((call) => {
      const [frame, options] = call as [string | Buffer, { binary?: boolean }];
      expect(options).toEqual({ binary: false });
      return String(frame);
    });
  return { conn, socket, sent };
}

function deliver(registry: ConnectionRegistry, target: Target, frame: string): void {
  registry.deliver(encodeEnvelope(target, frame));
}

describe(Connection.name, () => {
  it('holds frames until the first frame is sent, then sends it first and the held ones in order', () => {
    const { conn, socket, sent } = connect(1, { live: false });
    conn.send('a');
    conn.send('b');
    expect(socket.send).not.toHaveBeenCalled();

    conn.sendFirst('ready');
    conn.send('c');

    expect(sent()).toEqual(['ready', 'a', 'b', 'c']);
  });

  it('drops frames for a socket that is no longer open', () => {
    const { conn, socket } = connect(1);
    socket.readyState = WebSocket.CLOSING;

    conn.send('late');

    expect(socket.send).not.toHaveBeenCalled();
  });
});

describe(ConnectionRegistry.name, () => {
  describe('room target', () => {
    it('reaches every connection holding the room, and no other', () => {
      const registry = new ConnectionRegistry();
      const a1 = connect(1);
      const a2 = connect(1);
      const b = connect(2);
      const outsider = connect(3);
      registry.add(a1.conn, [10, 11]);
      registry.add(a2.conn, [10]);
      registry.add(b.conn, [10]);
      registry.add(outsider.conn, [11]);

      deliver(registry, { room: 10 }, '{"type":"message.new"}');

      // Written as published: the frame is not re-serialized per socket.
      expect(a1.sent()).toEqual(['{"type":"message.new"}']);
      expect(a2.sent()).toEqual(['{"type":"message.new"}']);
      expect(b.sent()).toEqual(['{"type":"message.new"}']);
      expect(outsider.sent()).toEqual([]);
    });

    it('encodes the frame once per fan-out: every socket of the room is handed the same Buffer', () => {
      const registry = new ConnectionRegistry();
      const members = [connect(1), connect(1), connect(2), connect(3)];
      for (const member of members) {
        registry.add(member.conn, [10]);
      }
      const encode = vi.spyOn(Buffer, 'from');

      deliver(registry, { room: 10 }, '{"type":"message.new"}');

      // A per-socket encode (or JSON.stringify) would cost every delivery what a bare broadcast server pays once.
      expect(encode).toHaveBeenCalledTimes(1);
      encode.mockRestore();
      const frames = members.map((member) => member.socket.send.mock.calls[0]?.[0] as unknown);
      expect(Buffer.isBuffer(frames[0])).toBe(true);
      expect(new Set(frames).size).toBe(1);
      expect(members.map((member) => member.sent())).toEqual(members.map(() => ['{"type":"message.new"}']));
    });

    it('skips every connection of exceptUser', () => {
      const registry = new ConnectionRegistry();
      const typist1 = connect(1);
      const typist2 = connect(1);
      const other = connect(2);
      registry.add(typist1.conn, [10]);
      registry.add(typist2.conn, [10]);
      registry.add(other.conn, [10]);

      deliver(registry, { room: 10, exceptUser: 1 }, 'typing');

      expect(typist1.sent()).toEqual([]);
      expect(typist2.sent()).toEqual([]);
      expect(other.sent()).toEqual(['typing']);
    });

    it('with detach, delivers the frame and then forgets the room for all holders', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      const b = connect(2);
      registry.add(a.conn, [10, 11]);
      registry.add(b.conn, [10]);

      deliver(registry, { room: 10, exceptUser: 2, detach: true }, 'last');
      deliver(registry, { room: 10 }, 'after');
      deliver(registry, { room: 11 }, 'other room');

      expect(a.sent()).toEqual(['last', 'other room']);
      expect(b.sent()).toEqual([]);
      expect([...a.conn.rooms]).toEqual([11]);
      expect(b.conn.rooms.size).toBe(0);
    });

    it('ignores a room nobody here holds', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      registry.add(a.conn, [10]);

      deliver(registry, { room: 99 }, 'x');

      expect(a.sent()).toEqual([]);
    });
  });

  describe('conn target', () => {
    it('reaches exactly the addressed connection, and nothing for an id held elsewhere', () => {
      const registry = new ConnectionRegistry();
      const a1 = connect(1);
      const a2 = connect(1);
      registry.add(a1.conn, [10]);
      registry.add(a2.conn, [10]);

      deliver(registry, { conn: a2.conn.id }, 'offer');
      deliver(registry, { conn: 'elsewhere' }, 'lost');

      expect(a1.sent()).toEqual([]);
      expect(a2.sent()).toEqual(['offer']);
    });

    it('skips only the exceptConn connection of a room target', () => {
      const registry = new ConnectionRegistry();
      const caller = connect(1);
      const callerTab = connect(1);
      registry.add(caller.conn, [10]);
      registry.add(callerTab.conn, [10]);

      deliver(registry, { room: 10, exceptConn: caller.conn.id }, 'ring');

      expect(caller.sent()).toEqual([]);
      expect(callerTab.sent()).toEqual(['ring']);
    });
  });

  describe('a connect whose memberships are being read', () => {
    it('keeps a room left during the read out of the index, although the read still lists it', () => {
      const registry = new ConnectionRegistry();
      const alice = connect(1);
      registry.register(alice.conn);

      deliver(registry, { users: [1], leave: 10 }, 'removed');
      registry.indexRooms(alice.conn, [10, 11]);
      deliver(registry, { room: 10 }, 'secret');
      deliver(registry, { room: 11 }, 'still mine');

      expect(alice.sent()).toEqual(['removed', 'still mine']);
      expect([...alice.conn.rooms]).toEqual([11]);
    });

    it('indexes a room joined during the read, although the read does not list it', () => {
      const registry = new ConnectionRegistry();
      const alice = connect(1);
      registry.register(alice.conn);

      deliver(registry, { users: [1], join: 12 }, 'added');
      registry.indexRooms(alice.conn, [11]);
      deliver(registry, { room: 12 }, 'welcome');

      expect(alice.sent()).toEqual(['added', 'welcome']);
      expect(alice.conn.changedDuringSetup).toBeNull();
    });
  });

  describe('users target', () => {
    it('reaches every connection of the listed users, whatever their rooms', () => {
      const registry = new ConnectionRegistry();
      const a1 = connect(1);
      const a2 = connect(1);
      const b = connect(2);
      const c = connect(3);
      registry.add(a1.conn, []);
      registry.add(a2.conn, [10]);
      registry.add(b.conn, []);
      registry.add(c.conn, [10]);

      deliver(registry, { users: [1, 2, 404] }, 'settings');

      expect(a1.sent()).toEqual(['settings']);
      expect(a2.sent()).toEqual(['settings']);
      expect(b.sent()).toEqual(['settings']);
      expect(c.sent()).toEqual([]);
    });

    it('with join, attaches the room first so the next room frames reach the new member', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      registry.add(a.conn, []);

      deliver(registry, { users: [1], join: 10 }, 'room.added');
      deliver(registry, { room: 10 }, 'message.new');

      expect(a.sent()).toEqual(['room.added', 'message.new']);
      expect(a.conn.rooms.has(10)).toBe(true);
    });

    it('with leave, delivers the frame and then detaches, so later room frames no longer reach the user', () => {
      const registry = new ConnectionRegistry();
      const leaver = connect(1);
      const stayer = connect(2);
      registry.add(leaver.conn, [10]);
      registry.add(stayer.conn, [10]);

      deliver(registry, { users: [1], leave: 10 }, 'room.removed');
      deliver(registry, { room: 10 }, 'message.new');

      expect(leaver.sent()).toEqual(['room.removed']);
      expect(stayer.sent()).toEqual(['message.new']);
      expect(leaver.conn.rooms.has(10)).toBe(false);
    });
  });

  describe('all target', () => {
    it('reaches every connection, minus exceptUser', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      const b = connect(2);
      const c = connect(3);
      registry.add(a.conn, []);
      registry.add(b.conn, [10]);
      registry.add(c.conn, []);

      deliver(registry, { all: true }, 'user.created');
      deliver(registry, { all: true, exceptUser: 2 }, 'user.updated');

      expect(a.sent()).toEqual(['user.created', 'user.updated']);
      expect(b.sent()).toEqual(['user.created']);
      expect(c.sent()).toEqual(['user.created', 'user.updated']);
    });
  });

  describe('presence target', () => {
    const batch = JSON.stringify({
      type: 'presence.changed',
      data: { online: [7, 8], offline: [{ userId: 9, lastSeenAt: 5 }] },
    });

    it('sends each socket only the users it subscribed to, and nothing to a socket that follows none of them', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      const b = connect(2);
      const c = connect(3);
      for (const x of [a, b, c]) {
        registry.add(x.conn, []);
      }
      registry.subscribePresence(a.conn, [7, 9]);
      registry.subscribePresence(b.conn, [8, 100]);
      registry.subscribePresence(c.conn, [100]);

      deliver(registry, { presence: true }, batch);

      expect(a.sent().map((f) => JSON.parse(f))).toEqual([
        { type: 'presence.changed', data: { online: [7], offline: [{ userId: 9, lastSeenAt: 5 }] } },
      ]);
      expect(b.sent().map((f) => JSON.parse(f))).toEqual([
        { type: 'presence.changed', data: { online: [8], offline: [] } },
      ]);
      expect(c.sent()).toEqual([]);
    });

    it('replaces the set on each subscribe and forgets it with the socket', () => {
      const registry = new ConnectionRegistry();
      const a = connect(1);
      const b = connect(2);
      registry.add(a.conn, []);
      registry.add(b.conn, []);
      registry.subscribePresence(a.conn, [7]);
      registry.subscribePresence(a.conn, [8]);
      registry.subscribePresence(b.conn, [9]);
      registry.remove(b.conn);

      deliver(registry, { presence: true }, batch);

      expect(a.sent().map((f) => JSON.parse(f).data.online)).toEqual([[8]]);
      expect(b.sent()).toEqual([]);
    });
  });

  describe("a room's online part", () => {
    /** The registry with its reported changes: roomId → the last count reported, and how many reports. */
    function counting() {
      const last = new Map<number, number>();
      let reports = 0;
      const registry = new ConnectionRegistry((roomId, localUsers) => {
        last.set(roomId, localUsers);
        reports += 1;
      });
      return { registry, last, reports: () => reports };
    }

    it('counts users, not sockets: a second tab reports nothing, the last tab closing reports the drop', () => {
      const { registry, last, reports } = counting();
      const tab1 = connect(1);
      const tab2 = connect(1);
      const other = connect(2);

      registry.add(tab1.conn, [10, 11]);
      registry.add(other.conn, [10]);
      expect(Object.fromEntries(last)).toEqual({ 10: 2, 11: 1 });
      const before = reports();
      registry.add(tab2.conn, [10, 11]);
      registry.remove(tab1.conn);
      expect(reports()).toBe(before);
      expect(Object.fromEntries(registry.localOnline())).toEqual({ 10: 2, 11: 1 });

      registry.remove(tab2.conn);
      expect(Object.fromEntries(last)).toEqual({ 10: 1, 11: 0 });
      expect(Object.fromEntries(registry.localOnline())).toEqual({ 10: 1 });
    });

    it('follows joins and leaves that arrive over the bus', () => {
      const { registry, last } = counting();
      const a = connect(1);
      registry.add(a.conn, []);

      deliver(registry, { users: [1], join: 10 }, 'added');
      expect(last.get(10)).toBe(1);
      deliver(registry, { users: [1], leave: 10 }, 'removed');
      expect(last.get(10)).toBe(0);
    });
  });

  describe('roomOnline target', () => {
    it('reaches the sockets that follow the room and hold it: not a follower that is no member, not a member that does not follow', () => {
      const registry = new ConnectionRegistry();
      const watcher = connect(1);
      const outsider = connect(2);
      const member = connect(3);
      registry.add(watcher.conn, [10]);
      registry.add(outsider.conn, [11]);
      registry.add(member.conn, [10]);
      registry.watchRooms(watcher.conn, [10]);
      registry.watchRooms(outsider.conn, [10]);

      deliver(registry, { roomOnline: 10 }, 'count');

      expect(watcher.sent()).toEqual(['count']);
      expect(outsider.sent()).toEqual([]);
      expect(member.sent()).toEqual([]);
    });

    it('stops at a leave, at a new subscription without the room, and with the socket', () => {
      const registry = new ConnectionRegistry();
      const left = connect(1);
      const moved = connect(2);
      const closed = connect(3);
      for (const x of [left, moved, closed]) {
        registry.add(x.conn, [10]);
        registry.watchRooms(x.conn, [10]);
      }
      deliver(registry, { users: [1], leave: 10 }, 'removed');
      registry.watchRooms(moved.conn, [12]);
      registry.remove(closed.conn);

      deliver(registry, { roomOnline: 10 }, 'count');

      expect(left.sent()).toEqual(['removed']);
      expect(moved.sent()).toEqual([]);
      expect(closed.sent()).toEqual([]);
    });
  });

  describe('session target', () => {
    it('sends the frame to every socket of that session, then closes them with SESSION_ENDED', () => {
      const registry = new ConnectionRegistry();
      const tab1 = connect(1, { sessionId: 5 });
      const tab2 = connect(1, { sessionId: 5 });
      const otherDevice = connect(1, { sessionId: 6 });
      registry.add(tab1.conn, [10]);
      registry.add(tab2.conn, []);
      registry.add(otherDevice.conn, [10]);

      deliver(registry, { session: 5, close: true }, 'session.ended');

      for (const tab of [tab1, tab2]) {
        expect(tab.sent()).toEqual(['session.ended']);
        expect(tab.socket.close).toHaveBeenCalledWith(CLOSE_CODES.SESSION_ENDED, expect.any(String));
        expect(tab.socket.send).toHaveBeenCalledBefore(tab.socket.close);
      }
      expect(otherDevice.sent()).toEqual([]);
      expect(otherDevice.socket.close).not.toHaveBeenCalled();
    });

    it('ends several sessions at once (sign out everywhere) and stops delivering to them', () => {
      const registry = new ConnectionRegistry();
      const phone = connect(1, { sessionId: 5 });
      const laptop = connect(1, { sessionId: 6 });
      const kept = connect(1, { sessionId: 7 });
      for (const c of [phone, laptop, kept]) {
        registry.add(c.conn, [10]);
      }

      deliver(registry, { sessions: [5, 6], close: true }, 'session.ended');
      deliver(registry, { room: 10 }, 'after');

      for (const ended of [phone, laptop]) {
        expect(ended.sent()).toEqual(['session.ended']);
        expect(ended.socket.close).toHaveBeenCalledWith(CLOSE_CODES.SESSION_ENDED, expect.any(String));
      }
      expect(kept.sent()).toEqual(['after']);
      expect(registry.size).toBe(1);
    });
  });

  it('closes a socket whose client does not read (send buffer past the limit) instead of buffering more', () => {
    const socket = { readyState: WebSocket.OPEN as number, send: vi.fn(), close: vi.fn(), bufferedAmount: 0 };
    const conn = new Connection('slow', 1, 1, socket as unknown as WebSocket, log, 1_000);
    conn.sendFirst('ready');
    socket.bufferedAmount = 1_001;

    conn.send('more');

    expect(socket.send).toHaveBeenCalledTimes(1);
    expect(socket.close).toHaveBeenCalledWith(CLOSE_CODES.BACKPRESSURE, expect.any(String));
  });

  it('logs a repeated client warning once per interval, then how many were dropped', () => {
    const warn = vi.fn();
    const logger = { child: () => ({ warn }) } as unknown as typeof log;
    const socket = { readyState: WebSocket.OPEN as number, send: vi.fn(), close: vi.fn() };
    const conn = new Connection('noisy', 1, 1, socket as unknown as WebSocket, logger);

    for (let i = 0; i < 1_000; i++) {
      conn.warn('unknown frame type', { type: `t${i}` });
    }
    conn.flushWarnings();

    expect(warn.mock.calls).toEqual([
      [{ type: 't0' }, 'unknown frame type'],
      [{ suppressed: { 'unknown frame type': 999 } }, 'warnings suppressed'],
    ]);
  });

  it('queues frames for a connection that has not had its first frame yet', () => {
    const registry = new ConnectionRegistry();
    const early = connect(1, { live: false });
    registry.add(early.conn, [10]);

    deliver(registry, { room: 10 }, 'm1');
    deliver(registry, { users: [1] }, 'm2');
    expect(early.sent()).toEqual([]);

    early.conn.sendFirst('session.ready');
    expect(early.sent()).toEqual(['session.ready', 'm1', 'm2']);
  });

  it('forgets a removed connection in every index', () => {
    const registry = new ConnectionRegistry();
    const gone = connect(1);
    const kept = connect(1);
    registry.add(gone.conn, [10]);
    registry.add(kept.conn, [10]);

    registry.remove(gone.conn);
    deliver(registry, { room: 10 }, 'r');
    deliver(registry, { users: [1] }, 'u');
    deliver(registry, { all: true }, 'a');

    expect(gone.sent()).toEqual([]);
    expect(kept.sent()).toEqual(['r', 'u', 'a']);
    expect(registry.size).toBe(1);
    expect([...registry.connections()]).toEqual([kept.conn]);
    expect(gone.conn.rooms.size).toBe(0);
  });
});
