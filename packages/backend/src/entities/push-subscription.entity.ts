import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { SessionEntity } from './session.entity';
import { UserEntity } from './user.entity';

/**
 * A browser's Web Push subscription (pychat's `chat_subscription`, with the standard's endpoint URL and keys
 * instead of a Firebase registration id). Belongs to the session that registered it: signing out, or the
 * session expiring, deletes it.
 */
@Entity('push_subscriptions')
export class PushSubscriptionEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_push_subscriptions_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_push_subscriptions_user' })
  user?: UserEntity;

  @Index('ix_push_subscriptions_session')
  @Column({ name: 'session_id', type: 'int' })
  sessionId: number;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_push_subscriptions_session' })
  session?: SessionEntity;

  /** SHA-256 (hex) of the endpoint: a unique index on the URL itself would pass MariaDB's key length limit. */
  @Index('uq_push_subscriptions_endpoint_hash', { unique: true })
  @Column({ name: 'endpoint_hash', type: 'varchar', length: 64 })
  endpointHash: string;

  @Column({ type: 'varchar', length: 1024 })
  endpoint: string;

  /** The browser's P-256 public key and auth secret, base64url: the payload is encrypted for them. */
  @Column({ type: 'varchar', length: 100 })
  p256dh: string;

  @Column({ type: 'varchar', length: 32 })
  auth: string;

  /** false: pushes to this device carry ids only (no room or sender name, no text). */
  @Column({ type: 'boolean', default: true })
  preview: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;
}
