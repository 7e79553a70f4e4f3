import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/** Email confirmation, password reset and email change tokens; stored hashed, single use, expiring. */
@Entity('verification_tokens')
export class VerificationTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_verification_tokens_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_verification_tokens_user' })
  user?: UserEntity;

  /** confirm-email, reset-password, change-email. */
  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Index('uq_verification_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 190, nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: bigintToNumber })
  expiresAt: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  usedAt: number | null;
}
