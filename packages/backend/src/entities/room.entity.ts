import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ChannelEntity } from './channel.entity';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

@Entity('rooms')
export class RoomEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** `channel` (main room of a channel), `room` (named room in a channel) or `direct`. */
  @Column({ type: 'varchar', length: 16 })
  kind: 'channel' | 'room' | 'direct';

  @Column({ type: 'varchar', length: 16, nullable: true })
  name: string | null;

  @Index('ix_rooms_channel')
  @Column({ name: 'channel_id', type: 'int', nullable: true })
  channelId: number | null;

  @ManyToOne(() => ChannelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_rooms_channel' })
  channel?: ChannelEntity;

  @Column({ name: 'admin_id', type: 'int', nullable: true })
  adminId: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'fk_rooms_admin' })
  admin?: UserEntity;

  /** Direct rooms whose messages go only peer to peer (never stored on the server). */
  @Column({ type: 'boolean', default: false })
  p2p: boolean;

  /** Only the admin may pin and unpin messages (else any member). */
  @Column({ name: 'pins_admin_only', type: 'boolean', default: false })
  pinsAdminOnly: boolean;

  /** `<lowerUserId>:<higherUserId>` for direct rooms: one direct room per pair, revived when re-opened. */
  @Index('uq_rooms_direct_key', { unique: true })
  @Column({ name: 'direct_key', type: 'varchar', length: 32, nullable: true })
  directKey: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  /** Rooms are disabled, not dropped: a re-opened direct room keeps its history. */
  @Column({ name: 'deleted_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  deletedAt: number | null;
}
