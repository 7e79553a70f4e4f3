import { LessThan, type DataSource, type Repository } from 'typeorm';
import { AccountTokenEntity, MailFailureEntity } from '../entities';

export type AccountTokenKind = AccountTokenEntity['kind'];

/** Mail links (hashed tokens) and the log of mails that could not be sent. */
export class AccountTokenRepository {
  readonly #tokens: Repository<AccountTokenEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.#tokens = dataSource.getRepository(AccountTokenEntity);
  }

  /** Stores a token, replacing the user's earlier ones of the same kind: only the newest link works. */
  async replace(token: Omit<AccountTokenEntity, 'id' | 'user'>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(AccountTokenEntity);
      await repo.delete({ userId: token.userId, kind: token.kind });
      await repo.insert(token);
    });
  }

  /**
   * Deletes the token and returns it: the DELETE decides, so of two requests racing with one link only one
   * gets it (single use). Expired tokens are returned too (deleted all the same); the caller refuses them.
   */
  async consume(kind: AccountTokenKind, tokenHash: string): Promise<AccountTokenEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(AccountTokenEntity);
      const token = await repo.findOneBy({ kind, tokenHash });
      if (!token) {
        return null;
      }
      const deleted = await repo.delete({ id: token.id });
      return deleted.affected === 1 ? token : null;
    });
  }

  async deleteOfUser(userId: number, kind: AccountTokenKind): Promise<void> {
    await this.#tokens.delete({ userId, kind });
  }

  async deleteExpired(now: number): Promise<void> {
    await this.#tokens.delete({ expiresAt: LessThan(now) });
  }

  /** Logs a failed mail; keeps the newest `keep` rows. */
  async recordMailFailure(failure: { createdAt: number; kind: string; error: string }, keep = 200): Promise<void> {
    const repo = this.dataSource.getRepository(MailFailureEntity);
    await repo.insert({ ...failure, error: failure.error.slice(0, 500) });
    const [cutoff] = await repo.find({ select: { id: true }, order: { id: 'DESC' }, skip: keep, take: 1 });
    if (cutoff) {
      await repo.delete({ id: LessThan(cutoff.id + 1) });
    }
  }
}
