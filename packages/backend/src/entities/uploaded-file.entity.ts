import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { MessageEntity } from './message.entity';
import { UserEntity } from './user.entity';

/** A file uploaded by a user; attached to a message once sent (message_id set). */
@Entity('uploaded_files')
export class UploadedFileEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_uploaded_files_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_uploaded_files_user' })
  user?: UserEntity;

  @Index('ix_uploaded_files_message')
  @Column({ name: 'message_id', type: 'int', nullable: true })
  messageId: number | null;

  @ManyToOne(() => MessageEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'fk_uploaded_files_message' })
  message?: MessageEntity;

  /** image, video, file, audio-record, video-record, preview. */
  @Column({ type: 'varchar', length: 16 })
  kind: string;

  /** Placeholder character inside the message content. */
  @Column({ type: 'varchar', length: 1, nullable: true })
  symbol: string | null;

  @Column({ type: 'varchar', length: 255 })
  path: string;

  @Column({ name: 'original_name', type: 'varchar', length: 255 })
  originalName: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 127 })
  mimeType: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size: number;

  @Column({ name: 'preview_file_id', type: 'int', nullable: true })
  previewFileId: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;
}
