import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { RoomEntity } from './room.entity';
import { UserEntity } from './user.entity';

/**
 * Indexes: (room_id, parent_id, id) serves history pages (`WHERE room_id=? AND parent_id IS NULL AND id<?
 * ORDER BY id DESC LIMIT n`) without touching other rooms' rows, at any depth. (room_id, id, sender_id,
 * deleted_at) answers a room's newest message id with one seek and counts unread messages from the index
 * alone. (parent_id, id) serves threads, (room_id, updated_at) serves resync, (sender_id, local_id) makes a
 * resend after a reconnect return the stored row instead of a duplicate. (room_id, pinned_at) lists a room's pins
 * without scanning its history.
 */
@Entity('messages')
@Index('ix_messages_room_parent_id', ['roomId', 'parentId', 'id'])
@Index('ix_messages_room_id', ['roomId', 'id', 'senderId', 'deletedAt'])
@Index('ix_messages_parent_id', ['parentId', 'id'])
@Index('ix_messages_room_updated', ['roomId', 'updatedAt'])
@Index('ix_messages_room_pinned', ['roomId', 'pinnedAt'])
@Index('uq_messages_sender_local', ['senderId', 'localId'], { unique: true })
// message.search's word index on content, made by the migrations (MariaDB FULLTEXT; SQLite has an FTS5
// table instead): named so the schema check keeps it, never synchronized.
@Index('ft_messages_content', { synchronize: false })
export class MessageEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'room_id', type: 'int' })
  roomId: number;

  @ManyToOne(() => RoomEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id', foreignKeyConstraintName: 'fk_messages_room' })
  room?: RoomEntity;

  @Column({ name: 'sender_id', type: 'int' })
  senderId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sender_id', foreignKeyConstraintName: 'fk_messages_sender' })
  sender?: UserEntity;

  /** null once deleted. */
  @Column({ type: 'text', nullable: true })
  content: string | null;

  /** Client-chosen id of the send; null for rows created otherwise. */
  @Column({ name: 'local_id', type: 'varchar', length: 64, nullable: true })
  localId: string | null;

  @Column({ name: 'parent_id', type: 'int', nullable: true })
  parentId: number | null;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_messages_parent' })
  parent?: MessageEntity;

  @Column({ name: 'thread_count', type: 'int', default: 0 })
  threadCount: number;

  /** Highest embedded-object placeholder used in the content (files, mentions): reserved for attachments. */
  @Column({ type: 'varchar', length: 1, nullable: true })
  symbol: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  /** Bumped on every change (edit, delete, new thread reply): what resync looks at. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintToNumber })
  updatedAt: number;

  @Column({ name: 'edited_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  editedAt: number | null;

  @Column({ name: 'deleted_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  deletedAt: number | null;

  /** Pinned to the room since; null when not pinned. */
  @Column({ name: 'pinned_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  pinnedAt: number | null;

  /** Who pinned it (no foreign key: the pin outlives nothing, and a deleted user's id is harmless here). */
  @Column({ name: 'pinned_by', type: 'int', nullable: true })
  pinnedBy: number | null;

  /** The message of the same room this one replies to inline; null when not a reply. */
  @Column({ name: 'reply_to_id', type: 'int', nullable: true })
  replyToId: number | null;
}
