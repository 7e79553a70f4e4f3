import type { DataSource, Repository } from 'typeorm';
import { InviteEntity } from '../entities';

/** An invite with the creator's username, as the admin page lists it. */
export interface InviteRow extends InviteEntity {
  creatorName: string | null;
}

/** Invite links (hashed tokens) for PYCHAT_REGISTRATION=invite. */
export class InviteRepository {
  readonly #invites: Repository<InviteEntity>;

  constructor(dataSource: DataSource) {
    this.#invites = dataSource.getRepository(InviteEntity);
  }

  async create(invite: Omit<InviteEntity, 'id' | 'uses' | 'revokedAt' | 'creator'>): Promise<InviteEntity> {
    return this.#invites.save({ ...invite, uses: 0, revokedAt: null });
  }

  findByHash(tokenHash: string): Promise<InviteEntity | null> {
    return this.#invites.findOneBy({ tokenHash });
  }

  findById(id: number): Promise<InviteEntity | null> {
    return this.#invites.findOneBy({ id });
  }

  /** Newest first, at most `limit`. */
  async list(limit: number): Promise<InviteRow[]> {
    const invites = await this.#invites.find({ relations: { creator: true }, order: { id: 'DESC' }, take: limit });
    return invites.map(({ creator, ...invite }) => ({ ...invite, creatorName: creator?.username ?? null }));
  }

  /**
   * Counts one use if the invite is live (not revoked, not expired, uses left): one conditional UPDATE, so of
   * concurrent sign-ups at most `max_uses` succeed (the row lock, or SQLite's single writer, orders them and
   * each re-checks `uses < max_uses`). True when a use was counted.
   */
  async consume(tokenHash: string, now: number): Promise<boolean> {
    const result = await this.#invites
      .createQueryBuilder()
      .update()
      .set({ uses: () => 'uses + 1' })
      .where('token_hash = :tokenHash', { tokenHash })
      .andWhere('revoked_at IS NULL')
      .andWhere('(expires_at IS NULL OR expires_at > :now)', { now })
      .andWhere('uses < max_uses')
      .execute();
    return result.affected === 1;
  }

  /** Gives back a use counted by `consume` whose sign-up then failed (name taken…). */
  async release(tokenHash: string): Promise<void> {
    await this.#invites
      .createQueryBuilder()
      .update()
      .set({ uses: () => 'uses - 1' })
      .where('token_hash = :tokenHash AND uses > 0', { tokenHash })
      .execute();
  }

  /** True when it was live and is now revoked. */
  async revoke(id: number, now: number): Promise<boolean> {
    const result = await this.#invites
      .createQueryBuilder()
      .update()
      .set({ revokedAt: now })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    return result.affected === 1;
  }
}
