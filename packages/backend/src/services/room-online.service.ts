import type { RoomOnlineStore } from '../bus/room-online.store';
import type { Logger } from '../logger';
import type { DomainEventBus } from './events';

/** How often an instance writes all of its parts again, so a Redis restart (which loses them) heals. */
export const ROOM_ONLINE_REWRITE_MS = 30_000;

export interface RoomOnlineOptions {
  /** How long changes collect before they are recorded (PYCHAT_PRESENCE_BATCH_MS). */
  batchMs: number;
  /** At most one room.online per room per this many ms (PYCHAT_ROOM_ONLINE_MS). */
  windowMs: number;
}

/**
 * "N online" for rooms of any size, as a count (issue 17, target 2): each instance keeps its part of every room's
 * count on socket attach and detach (ConnectionRegistry), records the changed parts in batches, and announces a room
 * at most once per window with the count at its end (the claim protocol of RoomOnlineStore). Nothing scans a room's
 * members: a presence change costs the rooms of that user, and a window costs one frame per socket showing the room.
 */
export class RoomOnlineService {
  #changed = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #announcing = new Set<NodeJS.Timeout>();
  #rewrite: NodeJS.Timeout | undefined;
  /** Set by a failed write, cleared by the next good one: one warning per outage. */
  #failing = false;
  #closed = false;
  readonly #log: Logger;

  constructor(
    private readonly store: RoomOnlineStore,
    private readonly events: DomainEventBus,
    logger: Logger,
    private readonly options: RoomOnlineOptions,
  ) {
    this.#log = logger.child({ ctx: 'RoomOnlineService' });
  }

  /** Rewrites this instance's parts periodically from `parts` (the live table of ConnectionRegistry). */
  start(parts: () => ReadonlyMap<number, number>): void {
    this.#rewrite = setInterval(() => {
      this.store.rewrite(new Map(parts())).catch((error: unknown) => this.#failed(error));
    }, ROOM_ONLINE_REWRITE_MS);
    this.#rewrite.unref();
  }

  /** This instance's part of a room changed (a user's first socket here took the room, or their last one let go). */
  changed(roomId: number, localUsers: number): void {
    this.#changed.set(roomId, localUsers);
    if (this.#closed) {
      return;
    }
    this.#timer ??= setTimeout(() => void this.#record(), this.options.batchMs);
  }

  /** The counts of these rooms now (presence.subscribe's reply); the caller checked the socket holds them. */
  async counts(roomIds: number[]): Promise<{ roomId: number; online: number }[]> {
    // A change still in its batch (the socket just joined the room it asks about) is recorded first, so the answer
    // includes it rather than being corrected one window later.
    if (this.#changed.size > 0) {
      clearTimeout(this.#timer);
      await this.#record();
    }
    const counts = await this.store.counts(roomIds);
    return roomIds.map((roomId) => ({ roomId, online: counts.get(roomId) ?? 0 }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#rewrite);
    for (const timer of this.#announcing) {
      clearTimeout(timer);
    }
    await this.store.close();
  }

  async #record(): Promise<void> {
    this.#timer = undefined;
    const batch = this.#changed;
    this.#changed = new Map();
    let claimed: number[];
    try {
      claimed = await this.store.record(batch);
    } catch (error) {
      // Put back what no newer change replaced; the periodic rewrite heals anything lost for good.
      for (const [roomId, count] of batch) {
        if (!this.#changed.has(roomId)) {
          this.changed(roomId, count);
        }
      }
      this.#failed(error);
      return;
    }
    if (this.#failing) {
      this.#failing = false;
      this.#log.info('online counts are recorded again');
    }
    if (claimed.length === 0 || this.#closed) {
      return;
    }
    const timer = setTimeout(() => {
      this.#announcing.delete(timer);
      void this.#announce(claimed);
    }, this.options.windowMs);
    this.#announcing.add(timer);
  }

  async #announce(roomIds: number[]): Promise<void> {
    try {
      const counts = await this.store.release(roomIds);
      await Promise.all(
        roomIds.map((roomId) => this.events.emit('room.online', { roomId, online: counts.get(roomId) ?? 0 })),
      );
    } catch (error) {
      // The claims expire by themselves; the next change announces the room again.
      this.#failed(error);
    }
  }

  #failed(error: unknown): void {
    if (!this.#failing) {
      this.#failing = true;
      this.#log.warn({ err: error }, 'online counts could not be written or read; retrying with the next change');
    }
  }
}
