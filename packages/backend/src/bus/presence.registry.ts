import type { Redis } from 'ioredis';

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
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, prefix: string, instanceId: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#instanceId = instanceId;
    this.#instancesKey = `${prefix}instances`;
    this.#myKey = `${prefix}presence:${instanceId}`;
  }

  async start(): Promise<void> {
    await this.#redis.del(this.#myKey);
    await this.#heartbeat();
    this.#timer = setInterval(() => {
      this.#heartbeat().catch(() => undefined);
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
      await this.#redis.del(`${this.#prefix}presence:${instance}`);
      await this.#redis.zrem(this.#instancesKey, instance);
    }
  }

  async #liveInstances(): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#instancesKey, Date.now() - INSTANCE_TTL_MS, '+inf');
  }

  async #elsewhere(userId: number): Promise<boolean> {
    const others = (await this.#liveInstances()).filter((id) => id !== this.#instanceId);
    if (others.length === 0) {
      return false;
    }
    const pipeline = this.#redis.pipeline();
    for (const instance of others) {
      pipeline.hexists(`${this.#prefix}presence:${instance}`, String(userId));
    }
    const results = (await pipeline.exec()) ?? [];
    return results.some(([, exists]) => exists === 1);
  }

  async connect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 0) + 1;
    this.#counts.set(userId, count);
    await this.#redis.hset(this.#myKey, String(userId), count);
    return count === 1 && !(await this.#elsewhere(userId));
  }

  async disconnect(userId: number): Promise<boolean> {
    const count = (this.#counts.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.#counts.set(userId, count);
      await this.#redis.hset(this.#myKey, String(userId), count);
      return false;
    }
    this.#counts.delete(userId);
    await this.#redis.hdel(this.#myKey, String(userId));
    return !(await this.#elsewhere(userId));
  }

  async online(): Promise<number[]> {
    const instances = await this.#liveInstances();
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
    const others = rest.length === 0 ? [] : (await this.#liveInstances()).filter((id) => id !== this.#instanceId);
    if (others.length === 0) {
      return online;
    }
    const pipeline = this.#redis.pipeline();
    for (const userId of rest) {
      for (const instance of others) {
        pipeline.hexists(`${this.#prefix}presence:${instance}`, String(userId));
      }
    }
    const results = (await pipeline.exec()) ?? [];
    rest.forEach((userId, i) => {
      if (results.slice(i * others.length, (i + 1) * others.length).some(([, exists]) => exists === 1)) {
        online.add(userId);
      }
    });
    return online;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#counts.clear();
    await this.#redis.del(this.#myKey).catch(() => undefined);
    await this.#redis.zrem(this.#instancesKey, this.#instanceId).catch(() => undefined);
  }
}
