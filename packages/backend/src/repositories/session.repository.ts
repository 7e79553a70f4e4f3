import { In, LessThan, type DataSource, type Repository } from 'typeorm';
import { SessionEntity, type UserEntity } from '../entities';
import { outsideTransactions } from '../db/data-source';
import { num, strOrNull, userFromRow, USER_COLUMNS, type Row } from './raw-rows';

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
    const rows: Row[] = await this.dataSource.query(
      `SELECT s.id AS s_id, s.token_hash AS s_token_hash, s.created_at AS s_created_at, s.last_used_at AS s_last_used_at, ` +
        `s.user_agent AS s_user_agent, s.ip AS s_ip, ${USER_COLUMNS} ` +
        'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?',
      [tokenHash],
    );
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
    return { session, user };
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
