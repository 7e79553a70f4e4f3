import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_users_username', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  username: string;

  /** Unique when set; empty means none (NULL, so several users may have none). */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 190, nullable: true })
  email: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  /** scrypt hash; null for accounts created through OAuth. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  /** A site admin: the /admin page (users, invites). Not the admin of a room or channel. */
  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin: boolean;

  /** Set by a site admin: no sign-in, no session (all were deleted then). Null: active. */
  @Column({ name: 'deactivated_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  deactivatedAt: number | null;

  @Column({ type: 'varchar', length: 8, default: 'secret' })
  sex: 'secret' | 'male' | 'female';

  @Column({ type: 'varchar', length: 255, nullable: true })
  thumbnail: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  @Column({ name: 'last_seen_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  lastSeenAt: number | null;

  /** 'away' or 'dnd'; null while available. A change bumps updated_at, like the profile's. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  status: 'away' | 'dnd' | null;

  @Column({ name: 'status_text', type: 'varchar', length: 100, nullable: true })
  statusText: string | null;

  /**
   * When the public profile (username, sex, thumbnail) last changed, or the creation time. Not touched by
   * presence, so a reconnecting client asks only for users changed since its last session.ready.
   */
  @Index('ix_users_updated_at')
  @Column({ name: 'updated_at', type: 'bigint', default: 0, transformer: bigintToNumber })
  updatedAt: number;
}
