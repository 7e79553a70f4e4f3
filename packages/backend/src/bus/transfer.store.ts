import type { Redis } from 'ioredis';

/** One device (socket) of one user. */
export interface TransferDevice {
  userId: number;
  connId: string;
}

export interface TransferRecord {
  id: string;
  roomId: number;
  threadId: number | null;
  file: { name: string; size: number; type: string; sha256: string };
  /** The offering device: the only one that may signal to receivers or cancel. */
  from: TransferDevice;
  offeredAt: number;
}

/**
 * Running P2P file transfers and the devices that accepted each. A transfer lives until its sender cancels it,
 * the sender's socket closes, or `ttlMs` passes without an accept (what cleans up after a dead instance).
 */
export interface TransferStore {
  create(transfer: TransferRecord, ttlMs: number): Promise<void>;
  get(transferId: string): Promise<TransferRecord | null>;
  /** Records the device as a receiver and pushes the expiry forward; false when the transfer is gone. */
  accept(transferId: string, device: TransferDevice, ttlMs: number): Promise<boolean>;
  receiver(transferId: string, connId: string): Promise<TransferDevice | null>;
  /** false when the device was not a receiver. */
  removeReceiver(transferId: string, connId: string): Promise<boolean>;
  /** false when it was gone already (so a withdrawal is announced once). */
  delete(transferId: string): Promise<boolean>;
}

interface MemoryEntry {
  transfer: TransferRecord;
  receivers: Map<string, TransferDevice>;
  expiresAt: number;
}

/** The embedded mode's store: entries past their expiry read as gone and are dropped when met. */
export class MemoryTransferStore implements TransferStore {
  readonly #entries = new Map<string, MemoryEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  async create(transfer: TransferRecord, ttlMs: number): Promise<void> {
    this.#sweep();
    this.#entries.set(transfer.id, { transfer, receivers: new Map(), expiresAt: this.now() + ttlMs });
  }

  async get(transferId: string): Promise<TransferRecord | null> {
    return this.#entry(transferId)?.transfer ?? null;
  }

  async accept(transferId: string, device: TransferDevice, ttlMs: number): Promise<boolean> {
    const entry = this.#entry(transferId);
    if (!entry) {
      return false;
    }
    entry.receivers.set(device.connId, { ...device });
    entry.expiresAt = this.now() + ttlMs;
    return true;
  }

  async receiver(transferId: string, connId: string): Promise<TransferDevice | null> {
    return this.#entry(transferId)?.receivers.get(connId) ?? null;
  }

  async removeReceiver(transferId: string, connId: string): Promise<boolean> {
    return this.#entry(transferId)?.receivers.delete(connId) ?? false;
  }

  async delete(transferId: string): Promise<boolean> {
    return this.#entries.delete(transferId);
  }

  #entry(transferId: string): MemoryEntry | undefined {
    const entry = this.#entries.get(transferId);
    if (entry && entry.expiresAt <= this.now()) {
      this.#entries.delete(transferId);
      return undefined;
    }
    return entry;
  }

  /** Offers nobody accepted or withdrew would otherwise pile up in a long-running process. */
  #sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id);
      }
    }
  }
}

/** Adds a receiver only while the transfer exists, and pushes both keys' expiry forward. */
const ACCEPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`;

/**
 * Redis layout (under the configured prefix): `transfer:<id>` the record as JSON, `transfer:<id>:to` hash
 * connId → userId of the devices that accepted. Both expire together, so any instance can answer for a
 * transfer offered on another, and a dead instance's offers vanish by themselves.
 */
export class RedisTransferStore implements TransferStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(transferId: string): string {
    return `${this.prefix}transfer:${transferId}`;
  }

  async create(transfer: TransferRecord, ttlMs: number): Promise<void> {
    await this.redis.set(this.#key(transfer.id), JSON.stringify(transfer), 'PX', ttlMs);
  }

  async get(transferId: string): Promise<TransferRecord | null> {
    const raw = await this.redis.get(this.#key(transferId));
    return raw === null ? null : (JSON.parse(raw) as TransferRecord);
  }

  async accept(transferId: string, device: TransferDevice, ttlMs: number): Promise<boolean> {
    const key = this.#key(transferId);
    const done = await this.redis.eval(ACCEPT, 2, key, `${key}:to`, device.connId, device.userId, ttlMs);
    return done === 1;
  }

  async receiver(transferId: string, connId: string): Promise<TransferDevice | null> {
    const userId = await this.redis.hget(`${this.#key(transferId)}:to`, connId);
    return userId === null ? null : { userId: Number(userId), connId };
  }

  async removeReceiver(transferId: string, connId: string): Promise<boolean> {
    return (await this.redis.hdel(`${this.#key(transferId)}:to`, connId)) === 1;
  }

  async delete(transferId: string): Promise<boolean> {
    const key = this.#key(transferId);
    return (await this.redis.del(key, `${key}:to`)) > 0;
  }
}
