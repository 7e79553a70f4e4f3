import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { MessageEntity } from './message.entity';
import { UserEntity } from './user.entity';

/**
 * One user's emoji on one message. The emoji is stored as its code points in hex (`1f44d`, `1f1eb-1f1f7`):
 * MariaDB's utf8mb4_unicode_ci gives every character outside the BMP the same weight, so a text column would
 * make 👍 and 😀 the same key in the unique index. (message_id, emoji, user_id) serves both the idempotent
 * toggle and reading a page's reactions in order.
 */
@Entity('message_reactions')
@Index('uq_message_reactions_message_emoji_user', ['messageId', 'emoji', 'userId'], { unique: true })
export class ReactionEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'message_id', type: 'int' })
  messageId: number;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'fk_message_reactions_message' })
  message?: MessageEntity;

  @Index('ix_message_reactions_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_message_reactions_user' })
  user?: UserEntity;

  /** Code points in lower-case hex joined by `-` (LIMITS.emojiMaxLength code points give at most 95 characters). */
  @Column({ type: 'varchar', length: 160 })
  emoji: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;
}
