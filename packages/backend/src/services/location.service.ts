import type { Locate } from '../geo/locator';
import type { Logger } from '../logger';
import { DAY_MS, type StatsRepository, type UserPlace } from '../repositories/stats.repository';
import type { Clock } from './clock';

/**
 * Records, on every WebSocket connect, that the user was active today and from which address, resolved once
 * per (user, address) offline (pychat resolved it through ip-api.com). The place feeds the country flags
 * (PYCHAT_SHOW_COUNTRY) and the statistics page.
 */
export class LocationService {
  /** `user:ip` already recorded today by this instance: a reconnecting tab writes nothing. */
  #seenToday = new Set<string>();
  #today = -1;

  constructor(
    private readonly stats: StatsRepository,
    private readonly locate: Locate,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** PYCHAT_SHOW_COUNTRY: whether users see each other's flags. */
    readonly showCountry: boolean,
  ) {}

  /** Never fails the connect: a lost row only costs a statistic. */
  async connected(userId: number, ip: string | null): Promise<void> {
    const now = this.clock();
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#today) {
      this.#today = day;
      this.#seenToday.clear();
    }
    const key = `${userId}:${ip ?? ''}`;
    if (this.#seenToday.has(key)) {
      return;
    }
    this.#seenToday.add(key);
    try {
      await this.stats.markActive(userId, day);
      if (ip !== null && !(await this.stats.touchLocation(userId, ip, now))) {
        await this.stats.insertLocation(userId, ip, this.locate(ip), now);
      }
    } catch (error) {
      this.#seenToday.delete(key);
      this.logger.warn({ err: error, user: userId }, 'recording the connect location failed');
    }
  }

  /** Every user's latest place, for the flags; empty when the admin has not turned flags on. */
  async places(): Promise<UserPlace[]> {
    return this.showCountry ? this.stats.latestPlaces() : [];
  }
}
