import { z } from 'zod';

/** A user's place from the address they last connected from (offline GeoIP). `region`: ISO 3166-2 subdivision code. */
export const UserPlaceDto = z.strictObject({
  countryCode: z.string().length(2),
  country: z.string(),
  region: z.string().nullable(),
  city: z.string().nullable(),
});
export type UserPlaceDto = z.infer<typeof UserPlaceDto>;

/**
 * GET /api/users/places: where each user connects from, for the flag beside their name. `enabled` false (and
 * no places) unless the admin turned flags on (PYCHAT_SHOW_COUNTRY). Users seen only from private addresses
 * are absent.
 */
export const UserPlacesResponse = z.strictObject({
  enabled: z.boolean(),
  places: z.record(z.string().regex(/^\d+$/), UserPlaceDto),
});
export type UserPlacesResponse = z.infer<typeof UserPlacesResponse>;

/** GET /api/admin/stats/overview?days=: how many days back, today included (UTC). */
export const AdminStatsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });
export type AdminStatsQuery = z.infer<typeof AdminStatsQuery>;

/** One UTC day (days since 1970-01-01) and its count; days with nothing are absent. */
export const DayCountDto = z.strictObject({ day: z.number().int(), count: z.number().int().nonnegative() });
export type DayCountDto = z.infer<typeof DayCountDto>;

/** Site admin only (FORBIDDEN otherwise). */
export const AdminStatsResponse = z.strictObject({
  fromDay: z.number().int(),
  toDay: z.number().int(),
  /** Accounts created per day. */
  signups: z.array(DayCountDto),
  /** Users who connected (opened the app) per day. */
  activeUsers: z.array(DayCountDto),
  /** Messages sent per day, deleted ones included. */
  messages: z.array(DayCountDto),
  /** Distinct users per country among the addresses used in the range, most first (at most 30). */
  countries: z.array(
    z.strictObject({ countryCode: z.string(), country: z.string(), users: z.number().int().nonnegative() }),
  ),
  onlineNow: z.number().int().nonnegative(),
  totalUsers: z.number().int().nonnegative(),
});
export type AdminStatsResponse = z.infer<typeof AdminStatsResponse>;
