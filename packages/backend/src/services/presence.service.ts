import type { PresenceRegistry } from '../bus/presence.registry';
import type { UserRepository } from '../repositories/user.repository';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** How long an instance collects presence changes before announcing them in one frame. */
export const PRESENCE_BATCH_MS = 500;

const PRESENCE_FRAME_PREFIX = '{"type":"presence.changed"';

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
  /** The registry's online list serialized; dropped whenever a batch (from any instance) goes through the bus. */
  #onlineJson: Promise<string> | null = null;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    private readonly batchMs = PRESENCE_BATCH_MS,
  ) {}

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

  /** Called with every bus message this instance receives. */
  observe(busMessage: string): void {
    if (busMessage.startsWith(PRESENCE_FRAME_PREFIX, busMessage.indexOf('\n') + 1)) {
      this.#onlineJson = null;
    }
  }

  /** Announces the collected changes now (also on shutdown, so the last tabs' users go offline). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#flush());
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    if (this.#changed.size === 0) {
      return;
    }
    const userIds = [...this.#changed];
    this.#changed.clear();
    const online = await this.registry.onlineAmong(userIds);
    const lastSeenAt = this.clock();
    const offline = userIds.filter((id) => !online.has(id));
    await this.users.setLastSeen(offline, lastSeenAt);
    await this.events.emit('presence.changed', {
      online: [...online],
      offline: offline.map((userId) => ({ userId, lastSeenAt })),
    });
  }

  #queue(userId: number): void {
    this.#changed.add(userId);
    this.#timer ??= setTimeout(() => {
      this.flush().catch(() => undefined);
    }, this.batchMs);
  }

  async typing(userId: number, roomId: number): Promise<void> {
    await this.access.requireRoomMember(userId, roomId);
    await this.events.emit('typing.started', { roomId, userId });
  }
}
