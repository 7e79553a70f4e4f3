import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MessageEntity } from './message.entity';
import { UserEntity } from './user.entity';

@Entity('message_mentions')
@Index('uq_message_mentions_message_user', ['messageId', 'userId'], { unique: true })
export class MentionEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'message_id', type: 'int' })
  messageId: number;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'fk_message_mentions_message' })
  message?: MessageEntity;

  @Index('ix_message_mentions_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_message_mentions_user' })
  user?: UserEntity;

  /** Placeholder character of the mention inside the content, when the client uses placeholders. */
  @Column({ type: 'varchar', length: 1, nullable: true })
  symbol: string | null;
}
