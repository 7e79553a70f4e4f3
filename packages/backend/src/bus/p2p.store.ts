import type { Redis } from 'ioredis';

/** One device (socket) of one user. */
export interface P2pDevice {
  userId: number;
  connId: string;
}

/**
 * Which devices are present in each p2p room (docs/p2p.md §7): the only devices that may signal each other
 * there. An entry lives until its device leaves or its socket closes; `ttlMs` (pushed forward by every join)
 * cleans up after an instance that died with its sockets.
 */
export interface P2pStore {
  /** Adds the device and returns the other devices present. */
  join(roomId: number, device: P2pDevice, ttlMs: number): Promise<P2pDevice[]>;
  /** false when the device was not present. */
  leave(roomId: number, connId: string): Promise<boolean>;
  device(roomId: number, connId: string): Promise<P2pDevice | null>;
  devices(roomId: number): Promise<P2pDevice[]>;
  /** The room stopped being p2p (or was closed): every device is gone. Returns who was present. */
  clear(roomId: number): Promise<P2pDevice[]>;
}

/** The embedded mode's store. */
export class MemoryP2pStore implements P2pStore {
  readonly #rooms = new Map<number, { devices: Map<string, P2pDevice>; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async join(roomId: number, device: P2pDevice, ttlMs: number): Promise<P2pDevice[]> {
    const room = this.#room(roomId) ?? { devices: new Map<string, P2pDevice>(), expiresAt: 0 };
    room.devices.set(device.connId, { ...device });
    room.expiresAt = this.now() + ttlMs;
    this.#rooms.set(roomId, room);
    return [...room.devices.values()].filter((d) => d.connId !== device.connId);
  }

  async leave(roomId: number, connId: string): Promise<boolean> {
    const room = this.#room(roomId);
    const left = room?.devices.delete(connId) ?? false;
    if (room && room.devices.size === 0) {
      this.#rooms.delete(roomId);
    }
    return left;
  }

  async device(roomId: number, connId: string): Promise<P2pDevice | null> {
    return this.#room(roomId)?.devices.get(connId) ?? null;
  }

  async devices(roomId: number): Promise<P2pDevice[]> {
    return [...(this.#room(roomId)?.devices.values() ?? [])];
  }

  async clear(roomId: number): Promise<P2pDevice[]> {
    const devices = await this.devices(roomId);
    this.#rooms.delete(roomId);
    return devices;
  }

  #room(roomId: number) {
    const room = this.#rooms.get(roomId);
    if (room && room.expiresAt <= this.now()) {
      this.#rooms.delete(roomId);
      return undefined;
    }
    return room;
  }
}

/** Redis layout (under the configured prefix): `p2p:<roomId>` hash connId → userId, expiring as a whole. */
export class RedisP2pStore implements P2pStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(roomId: number): string {
    return `${this.prefix}p2p:${roomId}`;
  }

  async join(roomId: number, device: P2pDevice, ttlMs: number): Promise<P2pDevice[]> {
    const key = this.#key(roomId);
    const replies = await this.redis
      .multi()
      .hset(key, device.connId, device.userId)
      .pexpire(key, ttlMs)
      .hgetall(key)
      .exec();
    const all = (replies?.[2]?.[1] ?? {}) as Record<string, string>;
    return toDevices(all).filter((d) => d.connId !== device.connId);
  }

  async leave(roomId: number, connId: string): Promise<boolean> {
    return (await this.redis.hdel(this.#key(roomId), connId)) === 1;
  }

  async device(roomId: number, connId: string): Promise<P2pDevice | null> {
    const userId = await this.redis.hget(this.#key(roomId), connId);
    return userId === null ? null : { userId: Number(userId), connId };
  }

  async devices(roomId: number): Promise<P2pDevice[]> {
    return toDevices(await this.redis.hgetall(this.#key(roomId)));
  }

  async clear(roomId: number): Promise<P2pDevice[]> {
    const key = this.#key(roomId);
    const replies = await this.redis.multi().hgetall(key).del(key).exec();
    return toDevices((replies?.[0]?.[1] ?? {}) as Record<string, string>);
  }
}

function toDevices(hash: Record<string, string>): P2pDevice[] {
  return Object.entries(hash).map(([connId, userId]) => ({ connId, userId: Number(userId) }));
}
