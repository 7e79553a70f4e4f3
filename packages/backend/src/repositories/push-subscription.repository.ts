import { In, type DataSource, type Repository } from 'typeorm';
import { PushSubscriptionEntity } from '../entities';
import { bool, num, placeholders, type Row } from './raw-rows';

export type NewPushSubscription = Omit<PushSubscriptionEntity, 'id' | 'user' | 'session'>;

/** A subscription to send to: no session, no hash. */
export interface PushTargetRow {
  id: number;
  userId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  preview: boolean;
}

const TARGET_COLUMNS = 'ps.id, ps.user_id, ps.endpoint, ps.p256dh, ps.auth, ps.preview';

function targetFromRow(row: Row): PushTargetRow {
  return {
    id: num(row.id),
    userId: num(row.user_id),
    endpoint: String(row.endpoint),
    p256dh: String(row.p256dh),
    auth: String(row.auth),
    preview: bool(row.preview),
  };
}

export class PushSubscriptionRepository {
  readonly #subscriptions: Repository<PushSubscriptionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.#subscriptions = dataSource.getRepository(PushSubscriptionEntity);
  }

  /**
   * Stores the subscription under its endpoint, whoever had that endpoint before (the browser now belongs to
   * this session), then drops the user's oldest ones beyond `maxPerUser`. Returns how many were dropped.
   */
  async save(subscription: NewPushSubscription, maxPerUser: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(PushSubscriptionEntity);
      await repo.delete({ endpointHash: subscription.endpointHash });
      await repo.insert(subscription);
      const mine = await repo.find({
        where: { userId: subscription.userId },
        select: { id: true },
        order: { createdAt: 'DESC', id: 'DESC' },
      });
      const extra = mine.slice(maxPerUser).map((s) => s.id);
      if (extra.length > 0) {
        await repo.delete({ id: In(extra) });
      }
      return extra.length;
    });
  }

  /** Deletes the user's subscription with this endpoint; false when there is none of theirs. */
  async deleteOwn(userId: number, endpointHash: string): Promise<boolean> {
    const result = await this.#subscriptions.delete({ userId, endpointHash });
    return (result.affected ?? 0) > 0;
  }

  /** The push service said it is gone (404/410). */
  async deleteById(id: number): Promise<void> {
    await this.#subscriptions.delete({ id });
  }

  /**
   * Subscriptions of the room's members other than the sender who want to hear of this message: notifications
   * on for the room (unless `mentionsOnly`), or mentioned in it; never of a member on do-not-disturb.
   */
  async forRoomMessage(
    roomId: number,
    senderId: number,
    mentioned: number[],
    mentionsOnly: boolean,
  ): Promise<PushTargetRow[]> {
    // Booleans are 0/1 on both engines (better-sqlite3 binds no booleans).
    const wanted = mentionsOnly ? [] : ['rm.notifications = 1'];
    const params: unknown[] = [roomId, 'dnd', senderId];
    if (mentioned.length > 0) {
      wanted.push(`rm.user_id IN (${placeholders(mentioned.length)})`);
      params.push(...mentioned);
    }
    if (wanted.length === 0) {
      return [];
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${TARGET_COLUMNS} FROM push_subscriptions ps ` +
        'JOIN room_members rm ON rm.user_id = ps.user_id AND rm.room_id = ? ' +
        // Do-not-disturb silences every device, phones included (a mention too, as in Slack).
        'JOIN users u ON u.id = ps.user_id AND (u.status IS NULL OR u.status <> ?) ' +
        `WHERE ps.user_id <> ? AND (${wanted.join(' OR ')}) ORDER BY ps.id`,
      params,
    );
    return rows.map(targetFromRow);
  }
}
