import { Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per user per UTC day the user connected: "active users" on the statistics page. Keyed by day first,
 * so a range of days is one index range; written with INSERT-or-ignore on connect.
 */
@Entity('user_active_days')
export class UserActiveDayEntity {
  /** Days since 1970-01-01 UTC. */
  @PrimaryColumn({ type: 'int' })
  day: number;

  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;
}
