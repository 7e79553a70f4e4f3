import type { UserEntity } from '../entities';

// The connect path runs a handful of lookups per socket. TypeORM's find() builds the SQL anew each time and,
// on SQLite, inlines numeric parameters so no prepared statement is ever reused; these run as constant text
// with `?` placeholders instead, and map the rows here. MariaDB returns BIGINT as strings and both engines
// return booleans as 0/1.

export type Row = Record<string, unknown>;

export function num(value: unknown): number {
  return Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Columns of `users` aliased `u_*`, for SELECTs that join a user. */
export const USER_COLUMNS =
  'u.id AS u_id, u.username AS u_username, u.email AS u_email, u.email_verified AS u_email_verified, ' +
  'u.password_hash AS u_password_hash, u.sex AS u_sex, u.thumbnail AS u_thumbnail, u.created_at AS u_created_at, ' +
  'u.updated_at AS u_updated_at, u.last_seen_at AS u_last_seen_at';

export function userFromRow(row: Row): UserEntity {
  return {
    id: num(row.u_id),
    username: String(row.u_username),
    email: strOrNull(row.u_email),
    emailVerified: bool(row.u_email_verified),
    passwordHash: strOrNull(row.u_password_hash),
    sex: row.u_sex as UserEntity['sex'],
    thumbnail: strOrNull(row.u_thumbnail),
    createdAt: num(row.u_created_at),
    updatedAt: num(row.u_updated_at),
    lastSeenAt: numOrNull(row.u_last_seen_at),
  };
}
