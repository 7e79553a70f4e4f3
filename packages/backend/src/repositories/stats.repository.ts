import type { DataSource } from 'typeorm';
import { dialectOf, outsideTransactions } from '../db/data-source';
import { UserActiveDayEntity, UserLocationEntity } from '../entities';
import { num, strOrNull, type Row } from './raw-rows';

export const DAY_MS = 86_400_000;

/** (user, ip) pairs per statement of `touchLocations`. */
const LOCATION_CHUNK = 200;

export interface NewPlace {
  countryCode: string;
  country: string;
  region: string | null;
  city: string | null;
}

export interface UserPlace extends NewPlace {
  userId: number;
}

export interface DayCount {
  /** Days since 1970-01-01 UTC. */
  day: number;
  count: number;
}

export interface CountryCount {
  countryCode: string;
  country: string;
  users: number;
}

/**
 * Where users connect from, the days they were active, and the per-day aggregates of the statistics page.
 * Every aggregate reads a bounded range through an index: `user_active_days` by its (day, user) key,
 * `user_locations` by last_seen_at, and `users`/`messages` by their primary key from the first row of the
 * range (ids grow with created_at), so a year of history is never scanned for the last 30 days.
 */
export class StatsRepository {
  readonly #dialect: 'sqlite' | 'mysql';

  constructor(private readonly dataSource: DataSource) {
    this.#dialect = dialectOf(dataSource);
  }

  /** Counts these users active on `day`; a second call the same day changes nothing. One statement. */
  async markActiveMany(day: number, userIds: number[]): Promise<void> {
    if (userIds.length === 0) {
      return;
    }
    await outsideTransactions(this.dataSource, () =>
      this.dataSource
        .createQueryBuilder()
        .insert()
        .into(UserActiveDayEntity)
        .values(userIds.map((userId) => ({ day, userId })))
        .orIgnore()
        .execute(),
    );
  }

  /**
   * Moves last_seen_at of the known (user, ip) pairs among these; answers the known ones as `user:ip`. Two
   * statements for any number of pairs (equalities on the (user_id, ip) key, OR-ed: a range lookup on both).
   */
  async touchLocations(pairs: { userId: number; ip: string }[], now: number): Promise<Set<string>> {
    const known = new Set<string>();
    // Chunks keep the OR chain well under SQLite's expression depth limit (1,000).
    for (let i = 0; i < pairs.length; i += LOCATION_CHUNK) {
      for (const key of await this.#touchLocations(pairs.slice(i, i + LOCATION_CHUNK), now)) {
        known.add(key);
      }
    }
    return known;
  }

  async #touchLocations(pairs: { userId: number; ip: string }[], now: number): Promise<string[]> {
    const match = pairs.map(() => '(user_id = ? AND ip = ?)').join(' OR ');
    const params = pairs.flatMap(({ userId, ip }) => [userId, ip]);
    const rows: Row[] = await this.dataSource.query(`SELECT user_id, ip FROM user_locations WHERE ${match}`, params);
    const known = rows.map((row) => ({ userId: num(row.user_id), ip: String(row.ip) }));
    if (known.length > 0) {
      await outsideTransactions(this.dataSource, () =>
        this.dataSource.query(
          `UPDATE user_locations SET last_seen_at = ? WHERE ${known.map(() => '(user_id = ? AND ip = ?)').join(' OR ')}`,
          [now, ...known.flatMap(({ userId, ip }) => [userId, ip])],
        ),
      );
    }
    return known.map(({ userId, ip }) => `${userId}:${ip}`);
  }

  /** New (user, ip) pairs; a concurrent insert of the same pair (two instances at once) wins, this one is dropped. */
  async insertLocations(places: { userId: number; ip: string; place: NewPlace | null }[], now: number): Promise<void> {
    if (places.length === 0) {
      return;
    }
    await outsideTransactions(this.dataSource, () =>
      this.dataSource
        .createQueryBuilder()
        .insert()
        .into(UserLocationEntity)
        .values(
          places.map(({ userId, ip, place }) => ({
            userId,
            ip,
            countryCode: place?.countryCode ?? null,
            country: place?.country ?? null,
            region: place?.region ?? null,
            city: place?.city ?? null,
            firstSeenAt: now,
            lastSeenAt: now,
          })),
        )
        .orIgnore()
        .execute(),
    );
  }

  /** Each user's most recently used located address (users seen only from private addresses have none). */
  async latestPlaces(): Promise<UserPlace[]> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT l.user_id, l.country_code, l.country, l.region, l.city FROM user_locations l ' +
        'WHERE l.country_code IS NOT NULL AND l.last_seen_at = (SELECT MAX(l2.last_seen_at) FROM user_locations l2 ' +
        'WHERE l2.user_id = l.user_id AND l2.country_code IS NOT NULL)',
    );
    const byUser = new Map<number, UserPlace>();
    for (const row of rows) {
      const userId = num(row.user_id);
      byUser.set(userId, {
        userId,
        countryCode: String(row.country_code),
        country: String(row.country),
        region: strOrNull(row.region),
        city: strOrNull(row.city),
      });
    }
    return [...byUser.values()];
  }

  activeUsersPerDay(fromDay: number): Promise<DayCount[]> {
    return this.dayCounts('SELECT day, COUNT(*) AS n FROM user_active_days WHERE day >= ? GROUP BY day', [fromDay]);
  }

  signupsPerDay(from: number): Promise<DayCount[]> {
    return this.perDayOf('users', from);
  }

  /** Every message sent, deleted ones included (they were sent that day). */
  messagesPerDay(from: number): Promise<DayCount[]> {
    return this.perDayOf('messages', from);
  }

  /** Distinct users per country among the addresses used since `from`, most users first. */
  async usersByCountry(from: number, limit: number): Promise<CountryCount[]> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT country_code, MAX(country) AS country, COUNT(DISTINCT user_id) AS n FROM user_locations ' +
        'WHERE last_seen_at >= ? AND country_code IS NOT NULL GROUP BY country_code ORDER BY n DESC, country_code ' +
        `LIMIT ${Math.trunc(limit)}`,
      [from],
    );
    return rows.map((row) => ({
      countryCode: String(row.country_code),
      country: String(row.country),
      users: num(row.n),
    }));
  }

  async userCount(): Promise<number> {
    const rows: Row[] = await this.dataSource.query('SELECT COUNT(*) AS n FROM users');
    return num(rows[0]?.n ?? 0);
  }

  private async perDayOf(table: 'users' | 'messages', from: number): Promise<DayCount[]> {
    const firstId = await this.firstIdFrom(table, from);
    if (firstId === null) {
      return [];
    }
    const day = this.#dialect === 'mysql' ? `created_at DIV ${DAY_MS}` : `created_at / ${DAY_MS}`;
    return this.dayCounts(
      `SELECT ${day} AS day, COUNT(*) AS n FROM ${table} WHERE id >= ? AND created_at >= ? GROUP BY ${day}`,
      [firstId, from],
    );
  }

  /**
   * The first id whose created_at is at or after `from`, by binary search on the primary key (~log2(rows)
   * point reads), as neither table has an index on created_at and the message insert path should not pay one.
   */
  private async firstIdFrom(table: 'users' | 'messages', from: number): Promise<number | null> {
    const bounds: Row[] = await this.dataSource.query(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM ${table}`);
    if (bounds[0]?.hi === null || bounds[0]?.hi === undefined) {
      return null;
    }
    let lo = num(bounds[0].lo);
    let hi = num(bounds[0].hi);
    const createdAtOrAfter = async (id: number): Promise<{ id: number; createdAt: number } | null> => {
      const rows: Row[] = await this.dataSource.query(
        `SELECT id, created_at FROM ${table} WHERE id >= ? ORDER BY id LIMIT 1`,
        [id],
      );
      return rows[0] ? { id: num(rows[0].id), createdAt: num(rows[0].created_at) } : null;
    };
    const last = await createdAtOrAfter(hi);
    if (!last || last.createdAt < from) {
      return null;
    }
    // Invariant: the row at or after `hi` is in range.
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = await createdAtOrAfter(mid);
      if (row && row.createdAt >= from) {
        hi = Math.min(mid, row.id);
      } else {
        lo = (row?.id ?? mid) + 1;
      }
    }
    return lo;
  }

  private async dayCounts(sql: string, params: unknown[]): Promise<DayCount[]> {
    const rows: Row[] = await this.dataSource.query(sql, params);
    return rows.map((row) => ({ day: num(row.day), count: num(row.n) })).sort((a, b) => a.day - b.day);
  }
}
