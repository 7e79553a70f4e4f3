import { LessThan, type DataSource, type Repository } from 'typeorm';
import { SessionEntity, UserEntity } from '../entities';

export class SessionRepository {
  readonly #sessions: Repository<SessionEntity>;

  constructor(dataSource: DataSource) {
    this.#sessions = dataSource.getRepository(SessionEntity);
  }

  async create(session: Omit<SessionEntity, 'id' | 'user'>): Promise<void> {
    await this.#sessions.insert(session);
  }

  /** The session and its user, if the token hash is known. */
  async findWithUser(tokenHash: string): Promise<{ session: SessionEntity; user: UserEntity } | null> {
    const session = await this.#sessions.findOne({ where: { tokenHash }, relations: { user: true } });
    if (!session?.user) {
      return null;
    }
    return { session, user: session.user };
  }

  async touch(id: number, at: number): Promise<void> {
    await this.#sessions.update({ id }, { lastUsedAt: at });
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
