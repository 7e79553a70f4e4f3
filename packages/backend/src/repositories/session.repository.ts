import { LessThan, type DataSource, type Repository } from 'typeorm';
import { SessionEntity, type UserEntity } from '../entities';
import { outsideTransactions } from '../db/data-source';
import { num, strOrNull, userFromRow, USER_COLUMNS, type Row } from './raw-rows';

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

  async deleteUnusedSince(before: number): Promise<number> {
    const result = await this.#sessions.delete({ lastUsedAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
