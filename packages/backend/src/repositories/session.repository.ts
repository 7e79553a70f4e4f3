import { In, LessThan, type DataSource, type Repository } from 'typeorm';
import { SessionEntity, type UserEntity, type UserSettingsEntity } from '../entities';
import { outsideTransactions } from '../db/data-source';
import { num, SETTINGS_COLUMNS, settingsFromRow, strOrNull, userFromRow, USER_COLUMNS, type Row } from './raw-rows';

const WITH_USER =
  'SELECT s.id AS s_id, s.token_hash AS s_token_hash, s.created_at AS s_created_at, s.last_used_at AS s_last_used_at, ' +
  `s.user_agent AS s_user_agent, s.ip AS s_ip, ${USER_COLUMNS} ` +
  'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?';

const WITH_USER_AND_SETTINGS =
  'SELECT s.id AS s_id, s.token_hash AS s_token_hash, s.created_at AS s_created_at, s.last_used_at AS s_last_used_at, ' +
  `s.user_agent AS s_user_agent, s.ip AS s_ip, ${USER_COLUMNS}, us.user_id AS us_user_id, ${SETTINGS_COLUMNS} ` +
  'FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN user_settings us ON us.user_id = u.id WHERE s.token_hash = ?';

/** Ids per query: well under SQLite's and MariaDB's placeholder limits. */
const ID_CHUNK = 500;

export class SessionRepository {
  readonly #sessions: Repository<SessionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.#sessions = dataSource.getRepository(SessionEntity);
  }

  async create(session: Omit<SessionEntity, 'id' | 'user'>): Promise<void> {
    await this.#sessions.insert(session);
  }

  /** The session and its user, if the token hash is known. */
  async findWithUser(tokenHash: string): Promise<{ session: SessionEntity; user: UserEntity } | null> {
    return this.#findWithUser(tokenHash, false);
  }

  /** As `findWithUser`, with the user's settings in the same statement (null: the user has no settings row). */
  async findWithUserAndSettings(
    tokenHash: string,
  ): Promise<{ session: SessionEntity; user: UserEntity; settings: UserSettingsEntity | null } | null> {
    const found = await this.#findWithUser(tokenHash, true);
    return found ? { ...found, settings: found.settings ?? null } : null;
  }

  async #findWithUser(
    tokenHash: string,
    withSettings: boolean,
  ): Promise<{ session: SessionEntity; user: UserEntity; settings?: UserSettingsEntity | null } | null> {
    const rows: Row[] = await this.dataSource.query(withSettings ? WITH_USER_AND_SETTINGS : WITH_USER, [tokenHash]);
    const row = rows[0];
    if (!row) {
      return null;
    }
    const user = userFromRow(row);
    const session: SessionEntity = {
      id: num(row.s_id),
      userId: user.id,
      tokenHash: String(row.s_token_hash),
      createdAt: num(row.s_created_at),
      lastUsedAt: num(row.s_last_used_at),
      userAgent: strOrNull(row.s_user_agent),
      ip: strOrNull(row.s_ip),
    };
    return withSettings
      ? { session, user, settings: row.us_user_id === null ? null : settingsFromRow(user.id, row) }
      : { session, user };
  }

  /** True when the user has a session opened from `ip` (a device that signed in there before). */
  async existsForUserFromIp(userId: number, ip: string): Promise<boolean> {
    return this.#sessions.existsBy({ userId, ip });
  }

  async touch(id: number, at: number): Promise<void> {
    await outsideTransactions(this.dataSource, () =>
      this.dataSource.query('UPDATE sessions SET last_used_at = ? WHERE id = ?', [at, id]),
    );
  }

  /** Deletes the session; returns its id, or null if there was none. */
  async deleteByTokenHash(tokenHash: string): Promise<number | null> {
    const session = await this.#sessions.findOneBy({ tokenHash });
    if (!session) {
      return null;
    }
    await this.#sessions.delete({ id: session.id });
    return session.id;
  }

  /** Deletes every session of the user (but `exceptId`); returns the ids deleted. */
  async deleteAllOfUser(userId: number, exceptId?: number): Promise<number[]> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(SessionEntity);
      const ids = (await repo.find({ select: { id: true }, where: { userId } }))
        .map((s) => s.id)
        .filter((id) => id !== exceptId);
      if (ids.length > 0) {
        await repo.delete({ id: In(ids) });
      }
      return ids;
    });
  }

  /** `last_used_at` of the sessions among `ids` that still exist, in chunks so any number fits one call. */
  async lastUsedOf(ids: number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      const rows: Row[] = await this.dataSource.query(
        `SELECT id, last_used_at FROM sessions WHERE id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const row of rows) {
        found.set(num(row.id), num(row.last_used_at));
      }
    }
    return found;
  }

  async touchMany(ids: number[], at: number): Promise<void> {
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      await outsideTransactions(this.dataSource, () =>
        this.dataSource.query(`UPDATE sessions SET last_used_at = ? WHERE id IN (${chunk.map(() => '?').join(',')})`, [
          at,
          ...chunk,
        ]),
      );
    }
  }

  async deleteUnusedSince(before: number): Promise<number> {
    const result = await this.#sessions.delete({ lastUsedAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
