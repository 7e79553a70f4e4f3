import type { ClientReplies } from '@pychat/protocol';
import type { PresenceRegistry } from '../bus/presence.registry';
import type { Logger } from '../logger';
import type { UserRepository } from '../repositories/user.repository';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** How long an instance collects presence changes before announcing them in one frame. */
export const PRESENCE_BATCH_MS = 500;

/**
 * Online users and typing. Each socket hears the presence of the users it subscribed to (protocol v3,
 * `presence.subscribe`; the per-instance index is in ws/connections.ts), not of everyone.
 *
 * Changes are batched per instance: connecting N users one by one would otherwise send N frames to
 * everyone (O(N²) frames). A batch names users whose state changed and reports the state the registry
 * holds when it is flushed, so a user who left one instance and joined another in the same window is
 * not announced offline.
 */
export class PresenceService {
  readonly #changed = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Set by a failed flush, cleared by the next one that succeeds: one warning per outage, not per batch. */
  #failing = false;
  #closed = false;
  readonly #log: Logger;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    logger: Logger,
    private readonly batchMs = PRESENCE_BATCH_MS,
  ) {
    this.#log = logger.child({ ctx: 'PresenceService' });
  }

  async connected(userId: number): Promise<void> {
    if (await this.registry.connect(userId)) {
      this.#queue(userId);
    }
  }

  async disconnected(userId: number): Promise<void> {
    if (await this.registry.disconnect(userId)) {
      this.#queue(userId);
    }
  }

  /**
   * The presence of the users a socket subscribed to, for the reply to presence.subscribe: the registry for who
   * is online, one statement for the others' last seen time. Read after the socket is subscribed, so a change
   * flushed meanwhile is either in this answer or in a later presence.changed.
   */
  async stateOf(userIds: number[]): Promise<ClientReplies['presence.subscribe']> {
    const unique = [...new Set(userIds)];
    const online = await this.registry.onlineAmong(unique);
    const rows = await this.users.lastSeenOf(unique.filter((id) => !online.has(id)));
    return {
      online: unique.filter((id) => online.has(id)),
      offline: rows.map((row) => ({
        userId: Number(row.id),
        lastSeenAt: row.lastSeenAt === null ? null : Number(row.lastSeenAt),
      })),
    };
  }

  /** Announces the collected changes now (also on shutdown, so the last tabs' users go offline). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Flushes run one after another, each after the previous one settled either way: chaining on
    // success only would leave a rejected chain behind one failure, and every later flush fail unseen.
    const next = () => this.#flush();
    this.#flushing = this.#flushing.then(next, next);
    return this.#flushing;
  }

  /** The last flush on shutdown (so the last tabs' users go offline); a failure is not retried after it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush().catch(() => undefined);
  }

  async #flush(): Promise<void> {
    if (this.#changed.size === 0) {
      return;
    }
    const userIds = [...this.#changed];
    this.#changed.clear();
    try {
      const online = await this.registry.onlineAmong(userIds);
      const lastSeenAt = this.clock();
      const offline = userIds.filter((id) => !online.has(id));
      await this.users.setLastSeen(offline, lastSeenAt);
      await this.events.emit('presence.changed', {
        online: [...online],
        offline: offline.map((userId) => ({ userId, lastSeenAt })),
      });
    } catch (error) {
      // Redis or the database is away. These users go into the next batch, which reads their state
      // again, so what finally goes out is current rather than what this batch would have said.
      for (const userId of userIds) {
        this.#queue(userId);
      }
      if (!this.#failing) {
        this.#failing = true;
        this.#log.warn({ err: error, users: userIds.length }, 'presence flush failed; retrying with the next batch');
      }
      throw error;
    }
    if (this.#failing) {
      this.#failing = false;
      this.#log.info('presence flushes work again');
    }
  }

  #queue(userId: number): void {
    this.#changed.add(userId);
    if (this.#closed) {
      return;
    }
    this.#timer ??= setTimeout(() => {
      // A failure is logged in #flush (once per streak) and retried with the next batch.
      this.flush().catch(() => undefined);
    }, this.batchMs);
  }

  async typing(userId: number, roomId: number): Promise<void> {
    await this.access.requireRoomMember(userId, roomId);
    await this.events.emit('typing.started', { roomId, userId });
  }
}
