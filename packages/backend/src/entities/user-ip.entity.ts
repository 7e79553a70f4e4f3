import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { IpAddressEntity } from './ip-address.entity';
import { UserEntity } from './user.entity';

/** Which IPs a user connected from, and when first and last. */
@Entity('user_ips')
@Index('uq_user_ips_user_ip', ['userId', 'ipId'], { unique: true })
export class UserIpEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_ips_user' })
  user?: UserEntity;

  @Index('ix_user_ips_ip')
  @Column({ name: 'ip_id', type: 'int' })
  ipId: number;

  @ManyToOne(() => IpAddressEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ip_id', foreignKeyConstraintName: 'fk_user_ips_ip' })
  ipAddress?: IpAddressEntity;

  @Column({ name: 'first_seen_at', type: 'bigint', transformer: bigintToNumber })
  firstSeenAt: number;

  @Column({ name: 'last_seen_at', type: 'bigint', transformer: bigintToNumber })
  lastSeenAt: number;
}
