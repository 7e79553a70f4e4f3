import type { Redis } from 'ioredis';

/**
 * The online count of rooms across instances, and who announces it. Each instance records its own part (distinct
 * users with a socket there that holds the room, kept by ConnectionRegistry); a room's count is the sum of the live
 * instances' parts. A user with sockets on two instances at once counts on both (one instance: exact).
 *
 * Throttling: the first instance to record a change of a room claims its announcement; the others only record.
 * The claimer waits the window, then `release`s the claim and reads the sum, so every change recorded before that
 * read is in the count, and a change recorded after it finds the claim gone and claims the next window.
 */
export interface RoomOnlineStore {
  /** Records this instance's parts of these rooms; returns the rooms whose announcement this instance claimed. */
  record(parts: ReadonlyMap<number, number>): Promise<number[]>;
  /** Replaces all of this instance's parts (heals a Redis restart, which loses them). */
  rewrite(parts: ReadonlyMap<number, number>): Promise<void>;
  /** Gives up the claims on these rooms, then reads their counts. */
  release(roomIds: number[]): Promise<Map<number, number>>;
  /** The counts of these rooms now. */
  counts(roomIds: number[]): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** One instance (the memory bus): its parts are the counts. */
export class MemoryRoomOnlineStore implements RoomOnlineStore {
  readonly #parts = new Map<number, number>();
  readonly #claimed = new Set<number>();

  async record(parts: ReadonlyMap<number, number>): Promise<number[]> {
    const claimed: number[] = [];
    for (const [roomId, count] of parts) {
      this.#set(roomId, count);
      if (!this.#claimed.has(roomId)) {
        this.#claimed.add(roomId);
        claimed.push(roomId);
      }
    }
    return claimed;
  }

  async rewrite(parts: ReadonlyMap<number, number>): Promise<void> {
    this.#parts.clear();
    for (const [roomId, count] of parts) {
      this.#set(roomId, count);
    }
  }

  async release(roomIds: number[]): Promise<Map<number, number>> {
    for (const roomId of roomIds) {
      this.#claimed.delete(roomId);
    }
    return this.counts(roomIds);
  }

  async counts(roomIds: number[]): Promise<Map<number, number>> {
    return new Map(roomIds.map((roomId) => [roomId, this.#parts.get(roomId) ?? 0]));
  }

  async close(): Promise<void> {
    this.#parts.clear();
  }

  #set(roomId: number, count: number): void {
    if (count > 0) {
      this.#parts.set(roomId, count);
    } else {
      this.#parts.delete(roomId);
    }
  }
}

/**
 * Redis layout: `<prefix>roomOnline:<instanceId>` hash roomId → this instance's part; `<prefix>roomOnline:claim:<roomId>`
 * the instance that announces the room next (expires after `claimTtlMs`, so an instance that died holding it does
 * not silence the room). Live instances are those of the presence registry (`<prefix>instances`); a dead one's hash
 * is deleted with its presence (RedisPresenceRegistry).
 */
export class RedisRoomOnlineStore implements RoomOnlineStore {
  readonly #myKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly instanceId: string,
    /** The live instances (RedisPresenceRegistry's heartbeats): whose parts make up a count. */
    private readonly liveInstances: () => Promise<string[]>,
    /** Longer than the throttle window, so a live claimer always releases before its claim expires. */
    private readonly claimTtlMs: number,
  ) {
    this.#myKey = roomOnlineKey(prefix, instanceId);
  }

  /** A restarted instance with the same id starts from nothing. */
  async start(): Promise<void> {
    await this.redis.del(this.#myKey);
  }

  async record(parts: ReadonlyMap<number, number>): Promise<number[]> {
    if (parts.size === 0) {
      return [];
    }
    const pipeline = this.redis.pipeline();
    const gone = [...parts].filter(([, count]) => count <= 0).map(([roomId]) => String(roomId));
    const kept = [...parts].filter(([, count]) => count > 0);
    if (gone.length > 0) {
      pipeline.hdel(this.#myKey, ...gone);
    }
    if (kept.length > 0) {
      pipeline.hset(this.#myKey, Object.fromEntries(kept));
    }
    // After the writes in the same pipeline: a claim that fails means its holder reads these parts later.
    const first = pipeline.length;
    const roomIds = [...parts.keys()];
    for (const roomId of roomIds) {
      pipeline.set(this.#claimKey(roomId), this.instanceId, 'PX', this.claimTtlMs, 'NX');
    }
    const results = await execChecked(pipeline);
    return roomIds.filter((_, i) => results[first + i] === 'OK');
  }

  async rewrite(parts: ReadonlyMap<number, number>): Promise<void> {
    const write = this.redis.multi().del(this.#myKey);
    if (parts.size > 0) {
      write.hset(this.#myKey, Object.fromEntries(parts));
    }
    await execChecked(write);
  }

  async release(roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length > 0) {
      await this.redis.del(...roomIds.map((roomId) => this.#claimKey(roomId)));
    }
    return this.counts(roomIds);
  }

  async counts(roomIds: number[]): Promise<Map<number, number>> {
    const totals = new Map(roomIds.map((roomId) => [roomId, 0]));
    if (roomIds.length === 0) {
      return totals;
    }
    const instances = await this.liveInstances();
    if (!instances.includes(this.instanceId)) {
      instances.push(this.instanceId);
    }
    const pipeline = this.redis.pipeline();
    const fields = roomIds.map(String);
    for (const instance of instances) {
      pipeline.hmget(roomOnlineKey(this.prefix, instance), ...fields);
    }
    for (const values of (await execChecked(pipeline)) as (string | null)[][]) {
      roomIds.forEach((roomId, i) => {
        totals.set(roomId, (totals.get(roomId) ?? 0) + Number(values[i] ?? 0));
      });
    }
    return totals;
  }

  async close(): Promise<void> {
    // Best effort: if Redis is away, readers skip this instance once its heartbeat is too old.
    await this.redis.del(this.#myKey).catch(() => undefined);
  }

  #claimKey(roomId: number): string {
    return `${this.prefix}roomOnline:claim:${roomId}`;
  }
}

export function roomOnlineKey(prefix: string, instanceId: string): string {
  return `${prefix}roomOnline:${instanceId}`;
}

/** The replies of a pipeline, throwing the first command error (ioredis reports those per command). */
async function execChecked(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) {
    throw failed[0];
  }
  return results.map(([, value]) => value);
}
