import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { MessageEntity } from './message.entity';

/** One row per edit or delete, holding the content as it was before the change. */
@Entity('message_edits')
export class MessageEditEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_message_edits_message')
  @Column({ name: 'message_id', type: 'int' })
  messageId: number;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'fk_message_edits_message' })
  message?: MessageEntity;

  @Column({ type: 'text', nullable: true })
  content: string | null;

  @Column({ name: 'edited_at', type: 'bigint', transformer: bigintToNumber })
  editedAt: number;
}
