import { CLOSE_CODES, type ServerEventFrame } from '@pychat/protocol';
import { WebSocket } from 'ws';
import { decodeEnvelope, type Target } from '../bus/envelope';
import type { Logger } from '../logger';
import type { TokenBucket } from '../services/token-bucket';
import { LogSampler } from './log-sampler';

/** Per socket, each kind of client warning is logged at most once per this interval (see LogSampler). */
const WARN_SAMPLE_MS = 60_000;

/** A frame as `ws` sends it: a string, or the same text already UTF-8 encoded once for many sockets. */
export type Frame = string | Buffer;

/** `binary: false` keeps a pre-encoded Buffer a text frame; one shared object, not one per send. */
const TEXT_FRAME = { binary: false } as const;

/** One open socket of one user on this instance, with the rooms it receives frames for. */
export class Connection {
  readonly rooms = new Set<number>();
  /** The users whose presence this socket follows (its last presence.subscribe). */
  presenceOf: ReadonlySet<number> = new Set();
  /** The rooms whose online count this socket shows (its last presence.subscribe's roomIds). */
  watching: ReadonlySet<number> = new Set();
  /**
   * While the socket's memberships are being read: the joins and leaves that reached it meanwhile. They are
   * newer than (or as new as) the read, so they win over it in `indexRooms`.
   */
  changedDuringSetup: Map<number, 'join' | 'leave'> | null = null;
  lastFrameAt = Date.now();
  /** Received frames not yet answered (they are handled one at a time), and their bytes. */
  queuedFrames = 0;
  queuedBytes = 0;
  /** This socket's request budgets by kind (see ws/request-limits.ts); freed with the connection. */
  readonly buckets = new Map<string, TokenBucket>();
  /** Frames delivered before session.ready was sent wait here, so the client sees the snapshot first. */
  #pending: Frame[] | null = [];
  #log: Logger | undefined;
  #warnings: LogSampler | undefined;

  constructor(
    readonly id: string,
    readonly userId: number,
    readonly sessionId: number,
    readonly socket: WebSocket,
    private readonly parentLog: Logger,
    /** A client that does not read its frames: past this many unsent bytes it is closed (4009). */
    private readonly maxBufferedBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Created on first use: most connections never log, and a child logger per socket costs memory. */
  get log(): Logger {
    this.#log ??= this.parentLog.child({ conn: this.id, user: this.userId });
    return this.#log;
  }

  /**
   * A warning caused by the client (bad frames, limits hit): sampled per kind, so one client cannot flood
   * the log. `kind` is a fixed server string; the client's text goes in `fields` (truncated by the caller).
   */
  warn(kind: string, fields: Record<string, unknown> = {}): void {
    this.#warnings ??= new LogSampler(WARN_SAMPLE_MS);
    const suppressed = this.#warnings.sample(kind, Date.now());
    if (suppressed !== null) {
      this.log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, kind);
    }
  }

  /** Logs, once, the warnings sampling dropped since the last logged one (called when the socket closes). */
  flushWarnings(): void {
    const dropped = this.#warnings?.drain();
    if (dropped) {
      this.log.warn({ suppressed: dropped }, 'warnings suppressed');
    }
  }

  send(frame: Frame): void {
    if (this.#pending) {
      this.#pending.push(frame);
      return;
    }
    const socket = this.socket;
    if (socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      // The client is not reading: keeping its frames would grow this process's memory without bound.
      this.warn('send buffer full', { buffered: socket.bufferedAmount });
      socket.close(CLOSE_CODES.BACKPRESSURE, 'send buffer full: read faster, then resync');
      return;
    }
    socket.send(frame, TEXT_FRAME);
  }

  /** Sends the first frame, then whatever arrived meanwhile, and goes live. */
  sendFirst(frame: Frame): void {
    const pending = this.#pending ?? [];
    this.#pending = null;
    this.send(frame);
    for (const queued of pending) {
      this.send(queued);
    }
  }
}

/**
 * This instance's sockets, indexed by user and by room. Delivery reads the index only: no database
 * query per recipient. The index changes through bus envelopes (join/leave), so every instance applies
 * membership changes in the same order as the frames.
 */
export class ConnectionRegistry {
  readonly #all = new Map<string, Connection>();
  readonly #byUser = new Map<number, Set<Connection>>();
  readonly #byRoom = new Map<number, Set<Connection>>();
  /** userId → the sockets that subscribed to that user's presence. */
  readonly #bySubscribed = new Map<number, Set<Connection>>();
  /** roomId → the sockets that show its online count. */
  readonly #byWatcher = new Map<number, Set<Connection>>();
  /**
   * roomId → how many distinct users have a socket on this instance that holds the room: this instance's part of
   * the room's online count, kept on every attach and detach so nothing ever scans a room's members.
   */
  readonly #roomUsers = new Map<number, number>();

  /** `onRoomOnline`: this instance's count of a room changed (RoomOnlineService batches and announces it). */
  constructor(private readonly onRoomOnline: (roomId: number, localUsers: number) => void = () => undefined) {}

  get size(): number {
    return this.#all.size;
  }

  connections(): IterableIterator<Connection> {
    return this.#all.values();
  }

  add(conn: Connection, roomIds: number[]): void {
    this.register(conn);
    this.indexRooms(conn, roomIds);
  }

  /**
   * Step 1 of a connect, before its memberships are read: the socket starts receiving user-targeted frames
   * (room.added / room.removed with their join / leave), so no membership change committed during the read
   * is missed.
   */
  register(conn: Connection): void {
    conn.changedDuringSetup = new Map();
    this.#all.set(conn.id, conn);
    this.#indexAdd(this.#byUser, conn.userId, conn);
  }

  /** Step 2: the rooms read from the database, minus the ones left while reading. */
  indexRooms(conn: Connection, roomIds: number[]): void {
    const changed = conn.changedDuringSetup;
    conn.changedDuringSetup = null;
    for (const roomId of roomIds) {
      if (changed?.get(roomId) !== 'leave') {
        this.attach(conn, roomId);
      }
    }
  }

  remove(conn: Connection): void {
    this.#all.delete(conn.id);
    this.#indexRemove(this.#byUser, conn.userId, conn);
    for (const roomId of [...conn.rooms]) {
      this.detach(conn, roomId);
    }
    this.subscribePresence(conn, []);
    this.watchRooms(conn, []);
  }

  /** Replaces the rooms whose room.online reach this socket (delivered only while it holds them). */
  watchRooms(conn: Connection, roomIds: readonly number[]): void {
    const next = new Set(roomIds);
    for (const roomId of conn.watching) {
      if (!next.has(roomId)) {
        this.#indexRemove(this.#byWatcher, roomId, conn);
      }
    }
    for (const roomId of next) {
      this.#indexAdd(this.#byWatcher, roomId, conn);
    }
    conn.watching = next;
  }

  /** This instance's part of every room's online count (rooms with nobody here are absent). */
  localOnline(): ReadonlyMap<number, number> {
    return this.#roomUsers;
  }

  /** Replaces the set of users whose presence.changed reach this socket. */
  subscribePresence(conn: Connection, userIds: readonly number[]): void {
    const next = new Set(userIds);
    for (const userId of conn.presenceOf) {
      if (!next.has(userId)) {
        this.#indexRemove(this.#bySubscribed, userId, conn);
      }
    }
    for (const userId of next) {
      if (!conn.presenceOf.has(userId)) {
        this.#indexAdd(this.#bySubscribed, userId, conn);
      }
    }
    conn.presenceOf = next;
  }

  attach(conn: Connection, roomId: number): void {
    if (conn.rooms.has(roomId)) {
      return;
    }
    const firstOfUser = !this.#otherSocketHolds(conn, roomId);
    conn.rooms.add(roomId);
    this.#indexAdd(this.#byRoom, roomId, conn);
    if (firstOfUser) {
      this.#countRoomUser(roomId, 1);
    }
  }

  detach(conn: Connection, roomId: number): void {
    if (!conn.rooms.delete(roomId)) {
      return;
    }
    this.#indexRemove(this.#byRoom, roomId, conn);
    if (!this.#otherSocketHolds(conn, roomId)) {
      this.#countRoomUser(roomId, -1);
    }
  }

  /** Whether another socket of the same user on this instance holds the room (a user has a few sockets at most). */
  #otherSocketHolds(conn: Connection, roomId: number): boolean {
    for (const other of this.#byUser.get(conn.userId) ?? []) {
      if (other !== conn && other.rooms.has(roomId)) {
        return true;
      }
    }
    return false;
  }

  #countRoomUser(roomId: number, delta: number): void {
    const count = (this.#roomUsers.get(roomId) ?? 0) + delta;
    if (count > 0) {
      this.#roomUsers.set(roomId, count);
    } else {
      this.#roomUsers.delete(roomId);
    }
    this.onRoomOnline(roomId, Math.max(count, 0));
  }

  /** Applies one bus envelope: updates the room index and writes the frame to the right sockets. */
  deliver(message: string): void {
    const { target, frame: text } = decodeEnvelope(message);
    if ('presence' in target) {
      this.#deliverPresence(text);
      return;
    }
    if ('roomOnline' in target) {
      const frame = Buffer.from(text);
      for (const conn of this.#byWatcher.get(target.roomOnline) ?? []) {
        // Following a room's count needs its membership now: a socket that left (or never joined) hears nothing.
        if (conn.rooms.has(target.roomOnline)) {
          conn.send(frame);
        }
      }
      return;
    }
    // Encoded once here rather than once per socket inside ws.
    const frame = Buffer.from(text);
    if ('all' in target) {
      for (const conn of this.#all.values()) {
        if (conn.userId !== target.exceptUser) {
          conn.send(frame);
        }
      }
      return;
    }
    if ('sessions' in target || 'session' in target) {
      // `session`: one session, as published by instances of an earlier version during a rolling upgrade.
      const ended = new Set('sessions' in target ? target.sessions : [target.session]);
      this.endSessions(ended, frame);
      return;
    }
    if ('conn' in target) {
      this.#all.get(target.conn)?.send(frame);
      return;
    }
    if ('room' in target) {
      this.#deliverToRoom(target, frame);
      return;
    }
    for (const userId of target.users) {
      for (const conn of this.#byUser.get(userId) ?? []) {
        if (target.join !== undefined) {
          this.attach(conn, target.join);
          conn.changedDuringSetup?.set(target.join, 'join');
        }
        conn.send(frame);
        if (target.leave !== undefined) {
          this.detach(conn, target.leave);
          conn.changedDuringSetup?.set(target.leave, 'leave');
        }
      }
    }
  }

  /**
   * The hot path of every message: one loop over the room's sockets writing the same Buffer, as a bare
   * broadcast server does (profiled in docs/performance.md, Round 2). No copy of the set and no per-socket
   * test unless the target asks for one.
   */
  #deliverToRoom(target: Extract<Target, { room: number }>, frame: Buffer): void {
    const conns = this.#byRoom.get(target.room);
    if (!conns) {
      return;
    }
    const { exceptUser, exceptConn } = target;
    if (target.detach) {
      for (const conn of [...conns]) {
        if (conn.userId !== exceptUser && conn.id !== exceptConn) {
          conn.send(frame);
        }
        this.detach(conn, target.room);
      }
    } else if (exceptUser === undefined && exceptConn === undefined) {
      // Iterating the live set is safe: sending never adds or removes a socket synchronously.
      for (const conn of conns) {
        conn.send(frame);
      }
    } else {
      for (const conn of conns) {
        if (conn.userId !== exceptUser && conn.id !== exceptConn) {
          conn.send(frame);
        }
      }
    }
  }

  /** Sends `frame` (session.ended) to every socket of these sessions and closes them with 4001. */
  endSessions(sessionIds: ReadonlySet<number>, frame: Frame): number {
    let closed = 0;
    for (const conn of [...this.#all.values()]) {
      if (sessionIds.has(conn.sessionId)) {
        conn.send(frame);
        conn.socket.close(CLOSE_CODES.SESSION_ENDED, 'session ended');
        // Gone from the indexes now: no frame of a later envelope reaches it while the close handshake runs.
        this.remove(conn);
        closed += 1;
      }
    }
    return closed;
  }

  /**
   * A batch goes to each socket cut down to the users it subscribed to: the work is the batch's users times
   * their subscribers, not the batch times every socket.
   */
  #deliverPresence(text: string): void {
    const { data } = JSON.parse(text) as ServerEventFrame<'presence.changed'>;
    const perConn = new Map<Connection, ServerEventFrame<'presence.changed'>['data']>();
    const slot = (conn: Connection) => {
      let part = perConn.get(conn);
      if (!part) {
        part = { online: [], offline: [] };
        perConn.set(conn, part);
      }
      return part;
    };
    for (const userId of data.online) {
      for (const conn of this.#bySubscribed.get(userId) ?? []) {
        slot(conn).online.push(userId);
      }
    }
    for (const entry of data.offline) {
      for (const conn of this.#bySubscribed.get(entry.userId) ?? []) {
        slot(conn).offline.push(entry);
      }
    }
    for (const [conn, part] of perConn) {
      conn.send(JSON.stringify({ type: 'presence.changed', data: part }));
    }
  }

  #indexAdd<K>(index: Map<K, Set<Connection>>, key: K, conn: Connection): void {
    let set = index.get(key);
    if (!set) {
      set = new Set();
      index.set(key, set);
    }
    set.add(conn);
  }

  #indexRemove<K>(index: Map<K, Set<Connection>>, key: K, conn: Connection): void {
    const set = index.get(key);
    if (set) {
      set.delete(conn);
      if (set.size === 0) {
        index.delete(key);
      }
    }
  }
}
