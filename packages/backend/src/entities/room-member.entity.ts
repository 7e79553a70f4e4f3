import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { RoomEntity } from './room.entity';
import { UserEntity } from './user.entity';

/** Membership plus the member's own preferences and read pointer for the room. */
@Entity('room_members')
@Index('uq_room_members_room_user', ['roomId', 'userId'], { unique: true })
export class RoomMemberEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'room_id', type: 'int' })
  roomId: number;

  @ManyToOne(() => RoomEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id', foreignKeyConstraintName: 'fk_room_members_room' })
  room?: RoomEntity;

  @Index('ix_room_members_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_room_members_user' })
  user?: UserEntity;

  /** Sound volume 0-100 for this room. */
  @Column({ type: 'int', default: 80 })
  volume: number;

  @Column({ type: 'boolean', default: true })
  notifications: boolean;

  /** Highest message id this member has read (per reader, unlike pychat's one status per message). */
  @Column({ name: 'last_read_message_id', type: 'bigint', default: 0, transformer: bigintToNumber })
  lastReadMessageId: number;

  @Column({ name: 'joined_at', type: 'bigint', transformer: bigintToNumber })
  joinedAt: number;
}
