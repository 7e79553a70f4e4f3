import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/**
 * A link sent by mail: `reset` (forgot password) or `verify` (prove an address: after sign-up, or the new one
 * of an email change, held in `email` until the link is opened). Only the SHA-256 of the token is stored, so
 * the table cannot be used to open the links; a token is deleted when used (single use).
 */
@Entity('account_tokens')
export class AccountTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_account_tokens_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_account_tokens_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 16 })
  kind: 'reset' | 'verify';

  @Index('uq_account_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** `verify`: the address the link proves (becomes the account's email when opened). */
  @Column({ type: 'varchar', length: 190, nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: bigintToNumber })
  expiresAt: number;
}
