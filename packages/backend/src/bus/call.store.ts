import type { Redis } from 'ioredis';

export interface CallPeer {
  userId: number;
  connId: string;
}

export interface CallRecord {
  id: string;
  roomId: number;
  video: boolean;
  startedBy: CallPeer;
  startedAt: number;
}

export type JoinResult = 'joined' | 'already' | 'full' | 'gone';

/** A peer the sweep removed because no instance refreshed it; `ended`: it was the call's last. */
export interface ExpiredPeer {
  callId: string;
  roomId: number;
  peer: CallPeer | null;
  ended: boolean;
}

/**
 * Running calls and the devices in them (joined peers only; ringing is not stored). Every peer has a
 * deadline its instance pushes forward while the socket is open (`touch`); `sweep` removes the peers past it,
 * so a SIGKILLed instance's devices leave the call. Each removal is returned by exactly one caller, so it is
 * announced once however many instances sweep. One call per room.
 */
export interface CallStore {
  /** Stores the call with its starter as first peer; or, when the room has a call already, returns its id. */
  create(call: CallRecord, deadline: number): Promise<string | null>;
  get(callId: string): Promise<CallRecord | null>;
  /** The calls running in these rooms. */
  inRooms(roomIds: number[]): Promise<CallRecord[]>;
  peers(callId: string): Promise<CallPeer[]>;
  peer(callId: string, connId: string): Promise<CallPeer | null>;
  join(callId: string, peer: CallPeer, deadline: number, maxPeers: number): Promise<JoinResult>;
  /** null: not a peer (already gone). Otherwise the removed peer, and whether the call ended with it. */
  leave(callId: string, connId: string): Promise<{ peer: CallPeer; ended: boolean } | null>;
  /** Pushes the deadlines of this instance's peers (and the call's own expiry) forward. */
  touch(entries: { callId: string; roomId: number; connId: string }[], deadline: number): Promise<void>;
  sweep(now: number): Promise<ExpiredPeer[]>;
}

/** The embedded mode's store: one process, so no call outlives its peers' sockets except through `sweep`. */
export class MemoryCallStore implements CallStore {
  readonly #calls = new Map<string, { call: CallRecord; peers: Map<string, CallPeer & { deadline: number }> }>();
  readonly #byRoom = new Map<number, string>();

  async create(call: CallRecord, deadline: number): Promise<string | null> {
    const existing = this.#byRoom.get(call.roomId);
    if (existing !== undefined) {
      return existing;
    }
    this.#calls.set(call.id, { call, peers: new Map([[call.startedBy.connId, { ...call.startedBy, deadline }]]) });
    this.#byRoom.set(call.roomId, call.id);
    return null;
  }

  async get(callId: string): Promise<CallRecord | null> {
    return this.#calls.get(callId)?.call ?? null;
  }

  async inRooms(roomIds: number[]): Promise<CallRecord[]> {
    return roomIds.flatMap((roomId) => {
      const id = this.#byRoom.get(roomId);
      const entry = id === undefined ? undefined : this.#calls.get(id);
      return entry ? [entry.call] : [];
    });
  }

  async peers(callId: string): Promise<CallPeer[]> {
    return [...(this.#calls.get(callId)?.peers.values() ?? [])].map(({ userId, connId }) => ({ userId, connId }));
  }

  async peer(callId: string, connId: string): Promise<CallPeer | null> {
    const peer = this.#calls.get(callId)?.peers.get(connId);
    return peer ? { userId: peer.userId, connId: peer.connId } : null;
  }

  async join(callId: string, peer: CallPeer, deadline: number, maxPeers: number): Promise<JoinResult> {
    const entry = this.#calls.get(callId);
    if (!entry) {
      return 'gone';
    }
    if (entry.peers.has(peer.connId)) {
      return 'already';
    }
    if (entry.peers.size >= maxPeers) {
      return 'full';
    }
    entry.peers.set(peer.connId, { ...peer, deadline });
    return 'joined';
  }

  async leave(callId: string, connId: string): Promise<{ peer: CallPeer; ended: boolean } | null> {
    const entry = this.#calls.get(callId);
    const peer = entry?.peers.get(connId);
    if (!entry || !peer) {
      return null;
    }
    entry.peers.delete(connId);
    const ended = entry.peers.size === 0;
    if (ended) {
      this.#calls.delete(callId);
      this.#byRoom.delete(entry.call.roomId);
    }
    return { peer: { userId: peer.userId, connId: peer.connId }, ended };
  }

  async touch(entries: { callId: string; connId: string }[], deadline: number): Promise<void> {
    for (const { callId, connId } of entries) {
      const peer = this.#calls.get(callId)?.peers.get(connId);
      if (peer) {
        peer.deadline = deadline;
      }
    }
  }

  async sweep(now: number): Promise<ExpiredPeer[]> {
    const expired: ExpiredPeer[] = [];
    for (const [callId, { call, peers }] of [...this.#calls]) {
      for (const peer of [...peers.values()]) {
        if (peer.deadline < now) {
          const left = await this.leave(callId, peer.connId);
          if (left) {
            expired.push({ callId, roomId: call.roomId, peer: left.peer, ended: left.ended });
          }
        }
      }
    }
    return expired;
  }
}

/** Whole-call expiry, pushed forward by `touch`: a call no live instance holds a peer of vanishes by itself. */
const CALL_KEY_TTL_MS = 60_000;

const CREATE = `
local p, id, roomId = ARGV[1], ARGV[2], ARGV[3]
local roomKey = p .. 'call:room:' .. roomId
local existing = redis.call('GET', roomKey)
if existing and redis.call('EXISTS', p .. 'call:' .. existing) == 1 then return existing end
local c = p .. 'call:' .. id
redis.call('HSET', c, 'roomId', roomId, 'video', ARGV[4], 'byUser', ARGV[5], 'byConn', ARGV[6], 'at', ARGV[7])
redis.call('HSET', c .. ':peers', ARGV[6], ARGV[5])
redis.call('ZADD', c .. ':alive', ARGV[8], ARGV[6])
redis.call('SET', roomKey, id)
for _, k in ipairs({c, c .. ':peers', c .. ':alive', roomKey}) do redis.call('PEXPIRE', k, ARGV[9]) end
redis.call('HSET', p .. 'calls', id, roomId)
return ''
`;

const JOIN = `
local c = ARGV[1] .. 'call:' .. ARGV[2]
if redis.call('EXISTS', c) == 0 then return 'gone' end
if redis.call('HEXISTS', c .. ':peers', ARGV[3]) == 1 then return 'already' end
if redis.call('HLEN', c .. ':peers') >= tonumber(ARGV[6]) then return 'full' end
redis.call('HSET', c .. ':peers', ARGV[3], ARGV[4])
redis.call('ZADD', c .. ':alive', ARGV[5], ARGV[3])
redis.call('PEXPIRE', c .. ':peers', ARGV[7])
redis.call('PEXPIRE', c .. ':alive', ARGV[7])
return 'joined'
`;

/** Removes one peer; the last one takes the call (and the room's pointer to it) along. Returns {userId, ended}. */
const LEAVE = `
local p, id, conn = ARGV[1], ARGV[2], ARGV[3]
local c = p .. 'call:' .. id
local userId = redis.call('HGET', c .. ':peers', conn)
if not userId then return false end
redis.call('HDEL', c .. ':peers', conn)
redis.call('ZREM', c .. ':alive', conn)
if redis.call('HLEN', c .. ':peers') > 0 then return {userId, 0} end
local roomId = redis.call('HGET', p .. 'calls', id)
if roomId and redis.call('GET', p .. 'call:room:' .. roomId) == id then redis.call('DEL', p .. 'call:room:' .. roomId) end
redis.call('DEL', c, c .. ':peers', c .. ':alive')
redis.call('HDEL', p .. 'calls', id)
return {userId, 1}
`;

/**
 * Redis layout (under the configured prefix): `call:<id>` hash of the call, `call:<id>:peers` hash connId →
 * userId, `call:<id>:alive` sorted set connId → deadline (ms), `call:room:<roomId>` → the room's call id, and
 * `calls` hash id → roomId (what the sweep walks). Changes run as Lua scripts, so two instances racing on one
 * call (two starts in a room, a join while the last peer leaves, two sweeps) stay consistent.
 */
export class RedisCallStore implements CallStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(callId: string): string {
    return `${this.prefix}call:${callId}`;
  }

  async create(call: CallRecord, deadline: number): Promise<string | null> {
    const existing = (await this.redis.eval(
      CREATE,
      0,
      this.prefix,
      call.id,
      call.roomId,
      call.video ? '1' : '0',
      call.startedBy.userId,
      call.startedBy.connId,
      call.startedAt,
      deadline,
      CALL_KEY_TTL_MS,
    )) as string;
    return existing === '' ? null : existing;
  }

  async get(callId: string): Promise<CallRecord | null> {
    const row = await this.redis.hgetall(this.#key(callId));
    return toRecord(callId, row);
  }

  async inRooms(roomIds: number[]): Promise<CallRecord[]> {
    if (roomIds.length === 0) {
      return [];
    }
    const ids = await this.redis.mget(roomIds.map((roomId) => `${this.prefix}call:room:${roomId}`));
    const calls = await Promise.all(ids.map((id) => (id === null ? null : this.get(id))));
    return calls.filter((call): call is CallRecord => call !== null);
  }

  async peers(callId: string): Promise<CallPeer[]> {
    const row = await this.redis.hgetall(`${this.#key(callId)}:peers`);
    return Object.entries(row).map(([connId, userId]) => ({ connId, userId: Number(userId) }));
  }

  async peer(callId: string, connId: string): Promise<CallPeer | null> {
    const userId = await this.redis.hget(`${this.#key(callId)}:peers`, connId);
    return userId === null ? null : { userId: Number(userId), connId };
  }

  async join(callId: string, peer: CallPeer, deadline: number, maxPeers: number): Promise<JoinResult> {
    return (await this.redis.eval(
      JOIN,
      0,
      this.prefix,
      callId,
      peer.connId,
      peer.userId,
      deadline,
      maxPeers,
      CALL_KEY_TTL_MS,
    )) as JoinResult;
  }

  async leave(callId: string, connId: string): Promise<{ peer: CallPeer; ended: boolean } | null> {
    const result = (await this.redis.eval(LEAVE, 0, this.prefix, callId, connId)) as [string, number] | null;
    return result ? { peer: { userId: Number(result[0]), connId }, ended: result[1] === 1 } : null;
  }

  async touch(entries: { callId: string; roomId: number; connId: string }[], deadline: number): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const { callId, roomId, connId } of entries) {
      const c = this.#key(callId);
      // XX: a peer the sweep already removed stays removed.
      pipeline.zadd(`${c}:alive`, 'XX', deadline, connId);
      for (const key of [c, `${c}:peers`, `${c}:alive`, `${this.prefix}call:room:${roomId}`]) {
        pipeline.pexpire(key, CALL_KEY_TTL_MS);
      }
    }
    await pipeline.exec();
  }

  async sweep(now: number): Promise<ExpiredPeer[]> {
    const calls = await this.redis.hgetall(`${this.prefix}calls`);
    const expired: ExpiredPeer[] = [];
    for (const [callId, room] of Object.entries(calls)) {
      const roomId = Number(room);
      const c = this.#key(callId);
      if ((await this.redis.exists(c)) === 0) {
        // Every instance holding a peer died long ago: the call's keys expired. One sweeper announces the end.
        if ((await this.redis.hdel(`${this.prefix}calls`, callId)) === 1) {
          expired.push({ callId, roomId, peer: null, ended: true });
        }
        continue;
      }
      for (const connId of await this.redis.zrangebyscore(`${c}:alive`, '-inf', now - 1)) {
        const left = await this.leave(callId, connId);
        if (left) {
          expired.push({ callId, roomId, peer: left.peer, ended: left.ended });
        }
      }
    }
    return expired;
  }
}

function toRecord(id: string, row: Record<string, string>): CallRecord | null {
  if (row.roomId === undefined) {
    return null;
  }
  return {
    id,
    roomId: Number(row.roomId),
    video: row.video === '1',
    startedBy: { userId: Number(row.byUser), connId: row.byConn ?? '' },
    startedAt: Number(row.at),
  };
}
