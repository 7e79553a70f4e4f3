import type { DataSource, Repository } from 'typeorm';
import { LinkedIdentityEntity } from '../entities';
import { isUniqueViolation } from './driver-errors';

export type NewLinkedIdentity = Omit<LinkedIdentityEntity, 'id' | 'user'>;

/** The (issuer, subject) is linked to an account already (the unique index decided, not a prior read). */
export class DuplicateIdentityError extends Error {
  constructor() {
    super('identity already linked');
    this.name = 'DuplicateIdentityError';
  }
}

export class LinkedIdentityRepository {
  readonly #identities: Repository<LinkedIdentityEntity>;

  constructor(dataSource: DataSource) {
    this.#identities = dataSource.getRepository(LinkedIdentityEntity);
  }

  find(issuer: string, subject: string): Promise<LinkedIdentityEntity | null> {
    return this.#identities.findOneBy({ issuer, subject });
  }

  listOfUser(userId: number): Promise<LinkedIdentityEntity[]> {
    return this.#identities.find({ where: { userId }, order: { id: 'ASC' } });
  }

  async insert(identity: NewLinkedIdentity): Promise<LinkedIdentityEntity> {
    try {
      return await this.#identities.save(this.#identities.create(identity));
    } catch (error) {
      throw isUniqueViolation(error) ? new DuplicateIdentityError() : error;
    }
  }

  /** True when the user had it. */
  async delete(userId: number, id: number): Promise<boolean> {
    const result = await this.#identities.delete({ id, userId });
    return (result.affected ?? 0) > 0;
  }
}
