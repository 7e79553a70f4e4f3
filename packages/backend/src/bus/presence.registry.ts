import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from '../logger';
import { roomOnlineKey } from './room-online.store';

/**
 * Who is online across all instances. Each instance counts its own connections per user; a user is
 * online while any live instance counts them. Answers whether a connect was the user's first or a
 * disconnect their last, so presence frames go out once per user, not once per tab.
 */
export interface PresenceRegistry {
  connect(userId: number): Promise<boolean>;
  disconnect(userId: number): Promise<boolean>;
  online(): Promise<number[]>;
  /** Which of these users are online right now, on any live instance. */
  onlineAmong(userIds: number[]): Promise<Set<number>>;
  close(): Promise<void>;
}

export class MemoryPresenceRegistry implements PresenceRegistry {
  readonly #counts = new Map<number, number>();

  async connect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 0) + 1;
    this.#counts.set(userId, count);
    return count === 1;
  }

  async disconnect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 1) - 1;
    if (count <= 0) {
      this.#counts.delete(userId);
      return true;
    }
    this.#counts.set(userId, count);
    return false;
  }

  async online(): Promise<number[]> {
    return [...this.#counts.keys()];
  }

  async onlineAmong(userIds: number[]): Promise<Set<number>> {
    return new Set(userIds.filter((id) => this.#counts.has(id)));
  }

  async close(): Promise<void> {
    this.#counts.clear();
  }
}

const HEARTBEAT_MS = 5_000;
/** An instance silent for this long is considered dead and its connections forgotten. */
const INSTANCE_TTL_MS = 20_000;

/**
 * Redis layout: `<prefix>presence:<instanceId>` hash userId → connection count of that instance;
 * `<prefix>instances` sorted set instanceId → last heartbeat (ms). A killed instance's users drop out
 * of `online()` once its heartbeat is older than INSTANCE_TTL_MS.
 *
 * The counts live in this process; the hash is their copy for the other instances, rewritten at every
 * heartbeat, so a Redis restart (which loses every key) or a write that failed while Redis was away
 * heals within HEARTBEAT_MS.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  readonly #counts = new Map<number, number>();
  readonly #redis: Redis;
  readonly #instancesKey: string;
  readonly #prefix: string;
  readonly #myKey: string;
  readonly #instanceId: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  /** Set by a failed heartbeat, cleared by the next good one: one warning per Redis outage, not every 5 s. */
  #heartbeatFailing = false;
  /** The other live instances as last read: whom a connect's pipeline asks (see #heldElsewhere). */
  #others: string[] = [];

  constructor(redis: Redis, prefix: string, instanceId: string, logger: Logger) {
    this.#redis = redis;
    this.#log = logger.child({ ctx: 'RedisPresenceRegistry' });
    this.#prefix = prefix;
    this.#instanceId = instanceId;
    this.#instancesKey = `${prefix}instances`;
    this.#myKey = `${prefix}presence:${instanceId}`;
  }

  async start(): Promise<void> {
    await this.#redis.del(this.#myKey);
    await this.#heartbeat();
    this.#timer = setInterval(() => {
      this.#heartbeat().then(
        () => {
          if (this.#heartbeatFailing) {
            this.#heartbeatFailing = false;
            this.#log.info('presence heartbeat works again; counts rewritten');
          }
        },
        (error: unknown) => {
          if (!this.#heartbeatFailing) {
            this.#heartbeatFailing = true;
            this.#log.warn(
              { err: error },
              `presence heartbeat failed; other instances drop this one's users after ${INSTANCE_TTL_MS / 1000} s without it`,
            );
          }
        },
      );
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  async #heartbeat(): Promise<void> {
    const now = Date.now();
    const write = this.#redis.multi().del(this.#myKey);
    if (this.#counts.size > 0) {
      write.hset(this.#myKey, Object.fromEntries(this.#counts));
    }
    await write.zadd(this.#instancesKey, now, this.#instanceId).exec();
    const dead = await this.#redis.zrangebyscore(this.#instancesKey, '-inf', now - INSTANCE_TTL_MS);
    for (const instance of dead) {
      await this.#redis.del(`${this.#prefix}presence:${instance}`, roomOnlineKey(this.#prefix, instance));
      await this.#redis.zrem(this.#instancesKey, instance);
    }
  }

  /** The instances whose heartbeat is recent (this one included once started). */
  async liveInstances(): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#instancesKey, Date.now() - INSTANCE_TTL_MS, '+inf');
  }

  /**
   * Runs `write` (if any), reads the live instances and asks which of `userIds` each other instance holds, in
   * one round trip: the HEXISTS go to the instances seen last time, and only an instance that appeared since
   * costs a second round trip. Per user id: true if another live instance holds it.
   */
  async #heldElsewhere(userIds: number[], write?: (pipeline: ChainableCommander) => void): Promise<boolean[]> {
    const pipeline = this.#redis.pipeline();
    write?.(pipeline);
    const first = pipeline.length;
    pipeline.zrangebyscore(this.#instancesKey, Date.now() - INSTANCE_TTL_MS, '+inf');
    const guessed = this.#others;
    const ask = (p: ChainableCommander, instances: string[]) => {
      for (const userId of userIds) {
        for (const instance of instances) {
          p.hexists(`${this.#prefix}presence:${instance}`, String(userId));
        }
      }
    };
    ask(pipeline, guessed);
    const results = await execChecked(pipeline);
    const live = (results[first] as string[]).filter((id) => id !== this.#instanceId);
    this.#others = live;
    const isLive = new Set(live);
    const held = userIds.map((_, u) =>
      guessed.some((instance, i) => isLive.has(instance) && results[first + 1 + u * guessed.length + i] === 1),
    );
    const added = live.filter((id) => !guessed.includes(id));
    if (added.length > 0) {
      const more = this.#redis.pipeline();
      ask(more, added);
      const extra = await execChecked(more);
      userIds.forEach((_, u) => {
        if (added.some((_, i) => extra[u * added.length + i] === 1)) {
          held[u] = true;
        }
      });
    }
    return held;
  }

  async connect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 0) + 1;
    this.#counts.set(userId, count);
    if (count > 1) {
      await this.#redis.hset(this.#myKey, String(userId), count);
      return false;
    }
    const [elsewhere] = await this.#heldElsewhere([userId], (p) => p.hset(this.#myKey, String(userId), count));
    return !elsewhere;
  }

  async disconnect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.#counts.set(userId, count);
      await this.#redis.hset(this.#myKey, String(userId), count);
      return false;
    }
    this.#counts.delete(userId);
    const [elsewhere] = await this.#heldElsewhere([userId], (p) => p.hdel(this.#myKey, String(userId)));
    return !elsewhere;
  }

  async online(): Promise<number[]> {
    const instances = await this.liveInstances();
    const users = new Set<number>();
    for (const instance of instances) {
      for (const id of await this.#redis.hkeys(`${this.#prefix}presence:${instance}`)) {
        users.add(Number(id));
      }
    }
    return [...users];
  }

  async onlineAmong(userIds: number[]): Promise<Set<number>> {
    const online = new Set(userIds.filter((id) => this.#counts.has(id)));
    const rest = userIds.filter((id) => !online.has(id));
    if (rest.length === 0) {
      return online;
    }
    const held = await this.#heldElsewhere(rest);
    rest.forEach((userId, i) => {
      if (held[i]) {
        online.add(userId);
      }
    });
    return online;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#counts.clear();
    try {
      await this.#redis.del(this.#myKey);
      await this.#redis.zrem(this.#instancesKey, this.#instanceId);
    } catch (error) {
      // Shutdown goes on: the other instances drop this one once its heartbeat is INSTANCE_TTL_MS old.
      this.#log.warn(
        { err: error },
        `could not remove this instance's presence from Redis; others forget its users within ${INSTANCE_TTL_MS / 1000} s`,
      );
    }
  }
}

/**
 * The replies of a pipeline, throwing the first command error: ioredis reports those per command
 * rather than rejecting, and reading a failed HEXISTS as "not there" would announce online users offline.
 */
async function execChecked(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) {
    throw failed[0];
  }
  return results.map(([, value]) => value);
}
