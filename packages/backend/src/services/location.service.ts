import type { Locate } from '../geo/locator';
import type { Logger } from '../logger';
import { DAY_MS, type StatsRepository, type UserPlace } from '../repositories/stats.repository';
import type { Clock } from './clock';

/** Connects recorded together: a reconnect storm (5,000 sockets after a restart) costs a few statements per
 * FLUSH_MAX connects instead of two or three per connect. */
const FLUSH_MS = 250;
const FLUSH_MAX = 500;

interface Seen {
  userId: number;
  ip: string | null;
  key: string;
  day: number;
}

/**
 * Records, on every WebSocket connect, that the user was active today and from which address, resolved once
 * per (user, address) offline (pychat resolved it through ip-api.com). The place feeds the country flags
 * (PYCHAT_SHOW_COUNTRY) and the statistics page. Connects are written in batches, at most FLUSH_MS late.
 */
export class LocationService {
  /** `user:ip` already recorded today by this instance: a reconnecting tab writes nothing. */
  #seenToday = new Set<string>();
  #today = -1;
  #queue: Seen[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stats: StatsRepository,
    private readonly locate: Locate,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** PYCHAT_SHOW_COUNTRY: whether users see each other's flags. */
    readonly showCountry: boolean,
  ) {}

  /** Never fails the connect: a lost row only costs a statistic. Resolves once the connect is written. */
  async connected(userId: number, ip: string | null): Promise<void> {
    const day = Math.floor(this.clock() / DAY_MS);
    if (day !== this.#today) {
      this.#today = day;
      this.#seenToday.clear();
    }
    const key = `${userId}:${ip ?? ''}`;
    if (this.#seenToday.has(key)) {
      return;
    }
    this.#seenToday.add(key);
    this.#queue.push({ userId, ip, key, day });
    if (this.#queue.length >= FLUSH_MAX) {
      await this.flush();
    } else {
      this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    }
  }

  /** Writes the connects queued so far (also at shutdown); resolves when every batch queued before is written. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    // Chained: a flush that finds the queue empty still waits for the batch the timer is writing.
    this.#writing = this.#writing.then(() => this.#write(batch));
    await this.#writing;
  }

  /** Never rejects: a failed batch is logged, and its connects may be recorded again. */
  async #write(batch: Seen[]): Promise<void> {
    if (batch.length === 0) {
      return;
    }
    const now = this.clock();
    try {
      const days = new Map<number, number[]>();
      for (const { userId, day } of batch) {
        days.set(day, [...(days.get(day) ?? []), userId]);
      }
      for (const [day, userIds] of days) {
        await this.stats.markActiveMany(day, [...new Set(userIds)]);
      }
      const pairs = batch.filter((seen): seen is Seen & { ip: string } => seen.ip !== null);
      const known = await this.stats.touchLocations(pairs, now);
      const fresh = pairs.filter(({ key }) => !known.has(key));
      await this.stats.insertLocations(
        fresh.map(({ userId, ip }) => ({ userId, ip, place: this.locate(ip) })),
        now,
      );
    } catch (error) {
      for (const { key } of batch) {
        this.#seenToday.delete(key);
      }
      this.logger.warn({ err: error, connects: batch.length }, 'recording the connect locations failed');
    }
  }

  /** Every user's latest place, for the flags; empty when the admin has not turned flags on. */
  async places(): Promise<UserPlace[]> {
    return this.showCountry ? this.stats.latestPlaces() : [];
  }
}
