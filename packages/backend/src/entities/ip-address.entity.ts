import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';

/** Geo data of a client IP, resolved once (statistics by country). */
@Entity('ip_addresses')
export class IpAddressEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_ip_addresses_ip', { unique: true })
  @Column({ type: 'varchar', length: 45 })
  ip: string;

  @Column({ name: 'country_code', type: 'varchar', length: 16, nullable: true })
  countryCode: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  country: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  region: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  city: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  isp: string | null;

  @Column({ type: 'double', nullable: true })
  lat: number | null;

  @Column({ type: 'double', nullable: true })
  lon: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  timezone: string | null;

  @Column({ name: 'resolved_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  resolvedAt: number | null;
}
