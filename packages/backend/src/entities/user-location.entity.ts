import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';
import { UserEntity } from './user.entity';

/**
 * An address a user connected from, with where it is: pychat's `ip_address` + `user_joined_info` in one row,
 * resolved once per (user, ip) with the offline GeoLite2 data of geoip-lite. Private and loopback addresses
 * have no place (all columns but `ip` null).
 */
@Entity('user_locations')
@Index('uq_user_locations_user_ip', ['userId', 'ip'], { unique: true })
@Index('ix_user_locations_last_seen', ['lastSeenAt'])
export class UserLocationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_locations_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 45 })
  ip: string;

  /** ISO 3166-1 alpha-2. */
  @Column({ name: 'country_code', type: 'varchar', length: 2, nullable: true })
  countryCode: string | null;

  /** English name of the country, as Intl.DisplayNames gives it. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  country: string | null;

  /** The subdivision's ISO 3166-2 code without the country (`ENG`, `CA`): GeoLite2 has no names for them here. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  region: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  city: string | null;

  @Column({ name: 'first_seen_at', type: 'bigint', transformer: bigintToNumber })
  firstSeenAt: number;

  @Column({ name: 'last_seen_at', type: 'bigint', transformer: bigintToNumber })
  lastSeenAt: number;
}
