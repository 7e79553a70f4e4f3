import { In, IsNull, type DataSource, type Repository } from 'typeorm';
import { dialectOf, outsideTransactions } from '../db/data-source';
import { isUniqueViolation } from './driver-errors';
import { SETTINGS_COLUMNS, settingsFromRow, type Row } from './raw-rows';
import {
  MessageEntity,
  RoomMemberEntity,
  SessionEntity,
  UserEntity,
  UserProfileEntity,
  UserSettingsEntity,
} from '../entities';

/** A user's public fields as the database returns them (MariaDB may return bigint as a string). */
export interface DirectoryRow {
  id: number;
  username: string;
  sex: UserEntity['sex'];
  thumbnail: string | null;
  lastSeenAt: number | string | null;
  status?: UserEntity['status'];
  statusText?: string | null;
}

export interface NewUser {
  username: string;
  email: string | null;
  passwordHash: string | null;
  sex: UserEntity['sex'];
  /** Set by an identity provider that vouched for the address; otherwise false until the mailed link. */
  emailVerified?: boolean;
}

/** The fields PATCH /api/users/me/profile may change; absent ones stay. */
export interface ProfilePatch {
  username?: string;
  sex?: UserEntity['sex'];
  name?: string | null;
  surname?: string | null;
  city?: string | null;
  birthday?: string | null;
  contacts?: string | null;
}

/** An insert lost to an existing account with the same username or email (in any case). */
export class DuplicateUserError extends Error {
  constructor(readonly field: 'username' | 'email') {
    super(`a user with this ${field} exists`);
    this.name = 'DuplicateUserError';
  }
}

/**
 * Which unique index of `users` a driver error is about, by the index's name (MariaDB: "Duplicate entry 'x'
 * for key 'uq_users_email'", MySQL 8 prefixes the table) or column (SQLite: "UNIQUE constraint failed:
 * users.email"); anchored at the end, since the MariaDB text starts with the value, which the user chose.
 */
export function duplicateUserField(error: unknown): 'username' | 'email' | null {
  if (!isUniqueViolation(error)) {
    return null;
  }
  const text = (error as { message?: unknown }).message;
  const message = typeof text === 'string' ? text : '';
  const match =
    /for key '(?:\w+\.)?uq_users_(username|email)'$/.exec(message) ??
    /UNIQUE constraint failed: users\.(username|email)$/.exec(message);
  return (match?.[1] as 'username' | 'email' | undefined) ?? null;
}

export class UserRepository {
  readonly #users: Repository<UserEntity>;
  /** Makes `=` compare as the unique indexes do: SQLite's are NOCASE, MariaDB's columns are `_ci` already. */
  readonly #caseless: string;

  constructor(private readonly dataSource: DataSource) {
    this.#users = dataSource.getRepository(UserEntity);
    this.#caseless = dialectOf(dataSource) === 'sqlite' ? ' COLLATE NOCASE' : '';
  }

  /**
   * Creates the user with profile and settings rows and joins the given room, all or nothing. The read pointer
   * starts at the room's newest message: a newcomer can read the history, but it is not "unread".
   * Throws DuplicateUserError when the username or email exists in any case: checking first is not enough,
   * a concurrent sign-up can insert in between; the unique indexes decide.
   */
  async createWithRoom(user: NewUser, roomId: number, now: number): Promise<UserEntity> {
    try {
      return await this.#createWithRoom(user, roomId, now);
    } catch (error) {
      const field = duplicateUserField(error);
      throw field ? new DuplicateUserError(field) : error;
    }
  }

  #createWithRoom(user: NewUser, roomId: number, now: number): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager
        .getRepository(UserEntity)
        .save({ ...user, createdAt: now, updatedAt: now, lastSeenAt: null });
      await manager.getRepository(UserProfileEntity).insert({ userId: saved.id });
      await manager.getRepository(UserSettingsEntity).insert({ userId: saved.id });
      const newest: { lastId: number | string | null } | undefined = await manager
        .getRepository(MessageEntity)
        .createQueryBuilder('m')
        .select('MAX(m.id)', 'lastId')
        .where('m.room_id = :roomId', { roomId })
        .getRawOne();
      await manager.getRepository(RoomMemberEntity).insert({
        roomId,
        userId: saved.id,
        notifications: false,
        lastReadMessageId: Number(newest?.lastId ?? 0),
        joinedAt: now,
      });
      return saved;
    });
  }

  /**
   * The admin page's list: by id, `q` matching the start of the username or email (in any case), and how many
   * match in all.
   */
  async listForAdmin(
    q: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ users: UserEntity[]; total: number }> {
    const query = this.#users.createQueryBuilder('u').orderBy('u.id', 'ASC');
    if (q) {
      // "!" escapes: a backslash means different things in MariaDB and SQLite string literals.
      const pattern = `${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.where("(u.username LIKE :pattern ESCAPE '!' OR u.email LIKE :pattern ESCAPE '!')", { pattern });
    }
    const [users, total] = await query.skip(offset).take(limit).getManyAndCount();
    return { users, total };
  }

  countAdmins(): Promise<number> {
    return this.#users.countBy({ isAdmin: true, deactivatedAt: IsNull() });
  }

  async setAdmin(userId: number, admin: boolean): Promise<void> {
    await this.#users.update({ id: userId }, { isAdmin: admin });
  }

  /** Marks the user deactivated and deletes every session of theirs, all or nothing; returns the sessions deleted. */
  async deactivate(userId: number, now: number): Promise<number[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.getRepository(UserEntity).update({ id: userId }, { deactivatedAt: now });
      const sessions = manager.getRepository(SessionEntity);
      const ids = (await sessions.find({ select: { id: true }, where: { userId } })).map((s) => s.id);
      if (ids.length > 0) {
        await sessions.delete({ id: In(ids) });
      }
      return ids;
    });
  }

  async reactivate(userId: number): Promise<void> {
    await this.#users.update({ id: userId }, { deactivatedAt: null });
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.#users.findOneBy({ id });
  }

  findByIds(ids: number[]): Promise<UserEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.#users.findBy({ id: In(ids) });
  }

  /** In any case, as the unique index compares (so through it): the account a sign-up would collide with. */
  findByUsername(username: string): Promise<UserEntity | null> {
    return this.#users.createQueryBuilder('u').where(`u.username = :username${this.#caseless}`, { username }).getOne();
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.#users.createQueryBuilder('u').where(`u.email = :email${this.#caseless}`, { email }).getOne();
  }

  /**
   * Sets the password hash and deletes every session of the user (but `keepSessionId`), all or nothing;
   * returns the sessions deleted.
   */
  async replacePassword(userId: number, passwordHash: string, keepSessionId?: number): Promise<number[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.getRepository(UserEntity).update({ id: userId }, { passwordHash });
      const sessions = manager.getRepository(SessionEntity);
      const ids = (await sessions.find({ select: { id: true }, where: { userId } }))
        .map((s) => s.id)
        .filter((id) => id !== keepSessionId);
      if (ids.length > 0) {
        await sessions.delete({ id: In(ids) });
      }
      return ids;
    });
  }

  /** Sets the email (null: none) and whether it is verified. DuplicateUserError when another account has it. */
  async setEmail(userId: number, email: string | null, verified: boolean): Promise<void> {
    try {
      await this.#users.update({ id: userId }, { email, emailVerified: verified });
    } catch (error) {
      const field = duplicateUserField(error);
      throw field ? new DuplicateUserError(field) : error;
    }
  }

  /** One statement for a whole presence batch. */
  async setLastSeen(ids: number[], at: number): Promise<void> {
    if (ids.length > 0) {
      await outsideTransactions(this.dataSource, () => this.#users.update({ id: In(ids) }, { lastSeenAt: at }));
    }
  }

  /** `last_seen_at` of these users (a presence.subscribe reply), one statement. */
  async lastSeenOf(ids: number[]): Promise<{ id: number | string; lastSeenAt: number | string | null }[]> {
    if (ids.length === 0) {
      return [];
    }
    return this.dataSource.query(
      `SELECT id, last_seen_at AS lastSeenAt FROM users WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
  }

  /** The public directory, or only the users created or changed since `since`; no entity hydration. */
  async directory(since: number | null): Promise<DirectoryRow[]> {
    const columns = 'id, username, sex, thumbnail, last_seen_at AS lastSeenAt, status, status_text AS statusText';
    const rows: DirectoryRow[] =
      since === null
        ? await this.dataSource.query(`SELECT ${columns} FROM users ORDER BY id`)
        : // No ORDER BY: sorting by id would make SQLite scan the whole table instead of the updated_at index.
          await this.dataSource.query(`SELECT ${columns} FROM users WHERE updated_at >= ?`, [since]);
    return rows;
  }

  /**
   * Changes the account's public fields (username, sex) and profile fields together, bumping `updated_at` so
   * reconnecting clients get the user in their delta. Throws DuplicateUserError when the username is another
   * account's in any case (the unique index decides, so two racing renames cannot both win).
   */
  async updateProfile(userId: number, patch: ProfilePatch, now: number): Promise<void> {
    const { username, sex, ...profile } = patch;
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager
          .getRepository(UserEntity)
          .update(
            { id: userId },
            { updatedAt: now, ...(username === undefined ? {} : { username }), ...(sex === undefined ? {} : { sex }) },
          );
        if (Object.keys(profile).length > 0) {
          await manager.getRepository(UserProfileEntity).update({ userId }, profile);
        }
      });
    } catch (error) {
      const field = duplicateUserField(error);
      throw field ? new DuplicateUserError(field) : error;
    }
  }

  /** Sets (or clears, null) the avatar's storage key; a new `updated_at` brings it to reconnecting clients. */
  async setThumbnail(userId: number, key: string | null, now: number): Promise<void> {
    await this.#users.update({ id: userId }, { thumbnail: key, updatedAt: now });
  }

  /** Sets my status (null: available); a new `updated_at` brings it to reconnecting clients. */
  async setStatus(userId: number, status: UserEntity['status'], statusText: string | null, now: number): Promise<void> {
    await this.#users.update({ id: userId }, { status, statusText, updatedAt: now });
  }

  findProfile(userId: number): Promise<UserProfileEntity | null> {
    return this.dataSource.getRepository(UserProfileEntity).findOneBy({ userId });
  }

  async updateSettings(userId: number, patch: Partial<Omit<UserSettingsEntity, 'userId' | 'user'>>): Promise<void> {
    if (Object.keys(patch).length > 0) {
      await this.dataSource.getRepository(UserSettingsEntity).update({ userId }, patch);
    }
  }

  async findSettings(userId: number): Promise<UserSettingsEntity | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${SETTINGS_COLUMNS} FROM user_settings us WHERE us.user_id = ?`,
      [userId],
    );
    return rows[0] ? settingsFromRow(userId, rows[0]) : null;
  }
}
