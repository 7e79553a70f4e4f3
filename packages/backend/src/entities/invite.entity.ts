import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/**
 * An invite link (PYCHAT_REGISTRATION=invite). Only the SHA-256 of its token is stored, as for mailed links;
 * `uses` only grows through one conditional UPDATE (InviteRepository.consume), so concurrent sign-ups never
 * use it more than `max_uses` times.
 */
@Entity('invites')
export class InviteEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_invites_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_by', type: 'int', nullable: true })
  createdBy: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_invites_created_by' })
  creator?: UserEntity;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  expiresAt: number | null;

  @Column({ name: 'max_uses', type: 'int' })
  maxUses: number;

  @Column({ type: 'int', default: 0 })
  uses: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  revokedAt: number | null;
}
