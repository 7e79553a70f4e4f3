import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/**
 * An OpenID Connect identity (issuer + subject) that signs in as a user: pychat's `user_joined_info` google/
 * facebook ids, for any provider. Made on first sign-in or by linking in the profile; the email is never used
 * to find the account.
 */
@Entity('linked_identities')
@Index('uq_linked_identities_issuer_subject', ['issuer', 'subject'], { unique: true })
export class LinkedIdentityEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_linked_identities_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_linked_identities_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 255 })
  issuer: string;

  /** The provider's `sub`: at most 255 ASCII characters (OpenID Connect Core §2). */
  @Column({ type: 'varchar', length: 255 })
  subject: string;

  /** The provider's verified email when linked, for the profile's list only. */
  @Column({ type: 'varchar', length: 190, nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;
}
