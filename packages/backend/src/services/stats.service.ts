import type { AdminStatsResponse } from '@pychat/protocol';
import type { PresenceRegistry } from '../bus/presence.registry';
import type { UserEntity } from '../entities/user.entity';
import { DAY_MS, type StatsRepository } from '../repositories/stats.repository';
import type { AdminService } from './admin.service';
import type { Clock } from './clock';

/** Countries shown on the statistics page; the rest are summed up by the client as "other" if it wants. */
const COUNTRY_LIMIT = 30;

/** The site admin's statistics page: per-day series over the last `days` days (today included), UTC. */
export class StatsService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly admin: Pick<AdminService, 'requireAdmin'>,
    private readonly presence: Pick<PresenceRegistry, 'online'>,
    private readonly clock: Clock,
  ) {}

  async overview(user: UserEntity, days: number): Promise<AdminStatsResponse> {
    this.admin.requireAdmin(user);
    const today = Math.floor(this.clock() / DAY_MS);
    const fromDay = today - days + 1;
    const from = fromDay * DAY_MS;
    const [signups, active, messages, countries, online, users] = await Promise.all([
      this.stats.signupsPerDay(from),
      this.stats.activeUsersPerDay(fromDay),
      this.stats.messagesPerDay(from),
      this.stats.usersByCountry(from, COUNTRY_LIMIT),
      this.presence.online(),
      this.stats.userCount(),
    ]);
    return {
      fromDay,
      toDay: today,
      signups,
      activeUsers: active,
      messages,
      countries,
      onlineNow: online.length,
      totalUsers: users,
    };
  }
}
