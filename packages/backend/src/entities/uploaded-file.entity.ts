import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { MessageEntity } from './message.entity';
import { UserEntity } from './user.entity';

/**
 * One uploaded file. It belongs to its uploader alone until a message.send or message.edit attaches it
 * (`message_id` set, once); from then on the members of the message's room may fetch it. The bytes live in the
 * upload dir under `storage_key` (random: written before the row exists, by any instance sharing the dir),
 * with `<key>.thumb.webp` and `<key>.preview.webp` beside it for images.
 */
@Entity('uploaded_files')
@Index('ix_uploaded_files_uploader', ['uploaderId', 'createdAt'])
@Index('ix_uploaded_files_message', ['messageId', 'position'])
@Index('uq_uploaded_files_storage_key', ['storageKey'], { unique: true })
export class UploadedFileEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'uploader_id', type: 'int' })
  uploaderId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'uploader_id', foreignKeyConstraintName: 'fk_uploaded_files_uploader' })
  uploader?: UserEntity;

  /** null until attached. */
  @Column({ name: 'message_id', type: 'int', nullable: true })
  messageId: number | null;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'fk_uploaded_files_message' })
  message?: MessageEntity;

  /** Order on the message (the order of `attachments` in the send or edit). */
  @Column({ type: 'int', default: 0 })
  position: number;

  /** `image`, `video`, `audio` or `file` (AttachmentKind), from the content. */
  @Column({ type: 'varchar', length: 8 })
  kind: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Detected from the content; `application/octet-stream` when unknown. */
  @Column({ type: 'varchar', length: 127 })
  mime: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size: number;

  @Column({ type: 'int', nullable: true })
  width: number | null;

  @Column({ type: 'int', nullable: true })
  height: number | null;

  /** A thumbnail and a preview WebP exist beside the original. */
  @Column({ name: 'has_preview', type: 'boolean', default: false })
  hasPreview: boolean;

  @Column({ name: 'storage_key', type: 'varchar', length: 64 })
  storageKey: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;
}
