import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/** A group of rooms ("group" in the UI). Membership = membership of its main room. */
@Entity('channels')
export class ChannelEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  name: string;

  @Column({ name: 'admin_id', type: 'int', nullable: true })
  adminId: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'fk_channels_admin' })
  admin?: UserEntity;

  /** Listed in the channel directory and joinable by anyone; false: invite-only (pychat's behaviour). */
  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic: boolean;

  /** Short description shown in the directory and the channel header; '' when none. */
  @Column({ type: 'varchar', length: 200, default: '' })
  topic: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  /** Channels are never hard-deleted, so their rooms' history stays consistent. */
  @Column({ name: 'deleted_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  deletedAt: number | null;
}
