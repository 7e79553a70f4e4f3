import type { ServerEventType } from '@pychat/protocol';
import type { PresenceRegistry } from '../bus/presence.registry';
import type { Logger } from '../logger';
import type { UserRepository } from '../repositories/user.repository';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** How long an instance collects presence changes before announcing them in one frame. */
export const PRESENCE_BATCH_MS = 500;

/**
 * Online users and typing. Presence is server-wide because every user shares the "all" room.
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
  /** The registry's online list serialized; dropped whenever a batch (from any instance) goes through the bus. */
  #onlineJson: Promise<string> | null = null;

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
   * The online list as JSON for session.ready, shared by every connect between two batches. A client
   * registered for frames before reading it either sees a user here or gets them in the next batch.
   */
  onlineJson(): Promise<string> {
    this.#onlineJson ??= this.registry.online().then(
      (ids) => JSON.stringify(ids),
      (error: unknown) => {
        this.#onlineJson = null;
        throw error;
      },
    );
    return this.#onlineJson;
  }

  /** Called with the event type of every frame this instance receives from the bus (`frameTypeOf`). */
  observe(frameType: ServerEventType | undefined): void {
    if (frameType === 'presence.changed') {
      this.#onlineJson = null;
    }
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
