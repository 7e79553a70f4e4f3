import { createECDH, createHash } from 'node:crypto';
import {
  ALL_ROOM_ID,
  PUSH_PREVIEW_MAX_LENGTH,
  type CallDto,
  type MessageDto,
  type PushPayload,
  type PushSubscribeBody,
} from '@pychat/protocol';
import type { PresenceRegistry } from '../bus/presence.registry';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Counter } from '../observability/metrics';
import { endpointProblem } from '../push/endpoint-policy';
import { PushRejectedError, type PushOptions, type PushSender } from '../push/push-sender';
import type { VapidKeys } from '../push/vapid-keys';
import type { PushSubscriptionRepository, PushTargetRow } from '../repositories/push-subscription.repository';
import type { RoomRepository } from '../repositories/room.repository';
import type { UserRepository } from '../repositories/user.repository';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** Pushes in flight at once: each is one HTTPS request to a push service. */
export const PUSH_CONCURRENCY = 8;
/** Pushes waiting beyond this are dropped (and counted): a burst must not grow memory without bound. */
export const PUSH_QUEUE_MAX = 5_000;
/** A message push waits this long at the push service for a device that is off; a ringing call, one minute. */
const MESSAGE_TTL_S = 86_400;
const CALL_TTL_S = 60;

export interface PushCounters {
  sent: Counter;
  failed: Counter;
  gone: Counter;
  dropped: Counter;
}

export interface PushServiceOptions {
  enabled: boolean;
  maxPerUser: number;
  allowLoopback: boolean;
}

/** A parsed POST /api/push/subscriptions body (defaults applied). */
type Subscription = Required<PushSubscribeBody>;

/** A key no push could be encrypted for would fail at every message: refused when subscribing instead. */
function isP256Point(key: Buffer): boolean {
  if (key.length !== 65 || key[0] !== 0x04) {
    return false;
  }
  try {
    // Throws for a point that is not on the curve.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(key);
    return true;
  } catch {
    return false;
  }
}

export function endpointHash(endpoint: string): string {
  return createHash('sha256').update(endpoint).digest('hex');
}

/**
 * Web Push (docs/push.md): subscriptions per session, and a push to every subscription of a member who should
 * hear of a new message or call and has no socket open on any instance (the Redis presence registry).
 * Sending never holds up the message: the event listener only queues, PUSH_CONCURRENCY pushes run at once,
 * and a push service answering 404/410 deletes the subscription.
 */
export class PushService {
  readonly #log: Logger;
  readonly #queue: (() => Promise<void>)[] = [];
  #running = 0;
  #idle: (() => void)[] = [];
  /** One warning per failure streak of the VAPID key file, not one per request. */
  #keysFailing = false;

  constructor(
    private readonly subscriptions: PushSubscriptionRepository,
    private readonly rooms: RoomRepository,
    private readonly users: UserRepository,
    private readonly presence: PresenceRegistry,
    private readonly sender: PushSender,
    private readonly keys: () => VapidKeys,
    private readonly options: PushServiceOptions,
    private readonly counters: PushCounters,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.#log = logger.child({ ctx: 'PushService' });
  }

  register(events: DomainEventBus): void {
    if (!this.options.enabled) {
      return;
    }
    // Queued, not awaited: emit() waits for its listeners, and the sender's reply must not wait for pushes.
    events.on('message.created', async ({ message }) => {
      this.#background(() => this.#onMessage(message), 'message');
    });
    events.on('call.started', async ({ call }) => {
      this.#background(() => this.#onCall(call), 'call');
    });
  }

  /** The VAPID public key, generating the pair on first use; null when push is off. */
  publicKey(): string | null {
    if (!this.options.enabled) {
      return null;
    }
    try {
      const key = this.keys().publicKey;
      this.#keysFailing = false;
      return key;
    } catch (error) {
      if (!this.#keysFailing) {
        this.#keysFailing = true;
        this.#log.error(
          { err: error },
          'push: cannot read or write the VAPID keys; set PYCHAT_VAPID_* or fix the data dir',
        );
      }
      throw new AppError('UNAVAILABLE', 'Push notifications are not available on this server right now');
    }
  }

  async subscribe(userId: number, sessionId: number, body: Subscription): Promise<void> {
    if (this.publicKey() === null) {
      throw new AppError('INVALID_OPERATION', 'Push notifications are off on this server');
    }
    const problem = endpointProblem(body.endpoint, this.options.allowLoopback);
    if (problem !== null) {
      throw new AppError('VALIDATION_FAILED', 'Refused push endpoint', [{ path: 'endpoint', message: problem }]);
    }
    if (!isP256Point(Buffer.from(body.keys.p256dh, 'base64url'))) {
      throw new AppError('VALIDATION_FAILED', 'Invalid push keys', [
        { path: 'keys.p256dh', message: 'expected an uncompressed P-256 point' },
      ]);
    }
    const dropped = await this.subscriptions.save(
      {
        userId,
        sessionId,
        endpointHash: endpointHash(body.endpoint),
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        preview: body.preview,
        createdAt: this.clock(),
      },
      this.options.maxPerUser,
    );
    if (dropped > 0) {
      this.#log.info({ user: userId, dropped }, 'push: oldest subscriptions dropped (PYCHAT_PUSH_MAX_PER_USER)');
    }
  }

  async unsubscribe(userId: number, endpoint: string): Promise<void> {
    if (!(await this.subscriptions.deleteOwn(userId, endpointHash(endpoint)))) {
      throw new AppError('NOT_FOUND', 'No push subscription of yours has this endpoint');
    }
  }

  /** Resolves once nothing is queued or sending (tests; shutdown). */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Shutdown: waits up to `withinMs` for the pushes already queued. */
  async close(withinMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, withinMs);
      }),
    ]);
    clearTimeout(timer);
  }

  async #onMessage(message: MessageDto): Promise<void> {
    // The "all" room is everyone: only a mention there is worth waking a phone for.
    const targets = await this.subscriptions.forRoomMessage(
      message.roomId,
      message.senderId,
      message.mentions,
      message.roomId === ALL_ROOM_ID,
    );
    const offline = await this.#offline(targets);
    if (offline.length === 0) {
      return;
    }
    const names = offline.some((t) => t.preview) ? await this.#names(message.roomId, message.senderId) : null;
    for (const target of offline) {
      const mentioned = message.mentions.includes(target.userId);
      const payload: PushPayload = {
        v: 1,
        type: 'message',
        roomId: message.roomId,
        messageId: message.id,
        senderId: message.senderId,
        mentioned,
        ...(target.preview && names
          ? {
              roomName: names.roomName,
              senderName: names.senderName,
              text: (message.content ?? '').slice(0, PUSH_PREVIEW_MAX_LENGTH),
            }
          : {}),
      };
      this.#enqueue(target, payload, {
        ttlS: MESSAGE_TTL_S,
        topic: `room-${message.roomId}`,
        urgency: mentioned ? 'high' : 'normal',
      });
    }
  }

  async #onCall(call: CallDto): Promise<void> {
    const senderId = call.startedBy.userId;
    const targets = await this.subscriptions.forRoomMessage(call.roomId, senderId, [], call.roomId === ALL_ROOM_ID);
    const offline = await this.#offline(targets);
    if (offline.length === 0) {
      return;
    }
    const names = offline.some((t) => t.preview) ? await this.#names(call.roomId, senderId) : null;
    for (const target of offline) {
      const payload: PushPayload = {
        v: 1,
        type: 'call',
        roomId: call.roomId,
        senderId,
        ...(target.preview && names ? names : {}),
      };
      this.#enqueue(target, payload, { ttlS: CALL_TTL_S, topic: `call-${call.roomId}`, urgency: 'high' });
    }
  }

  /** Subscriptions of users with no socket open on any instance (a tab open anywhere shows it itself). */
  async #offline(targets: PushTargetRow[]): Promise<PushTargetRow[]> {
    if (targets.length === 0) {
      return [];
    }
    const online = await this.presence.onlineAmong([...new Set(targets.map((t) => t.userId))]);
    return targets.filter((t) => !online.has(t.userId));
  }

  async #names(roomId: number, senderId: number): Promise<{ roomName: string | null; senderName: string }> {
    const [room, sender] = await Promise.all([this.rooms.findRoom(roomId), this.users.findById(senderId)]);
    let roomName = room?.name ?? null;
    if (room?.kind === 'channel' && room.channelId !== null) {
      roomName = (await this.rooms.findChannel(room.channelId))?.name ?? roomName;
    }
    return { roomName: room?.kind === 'direct' ? null : roomName, senderName: sender?.username ?? 'Someone' };
  }

  #enqueue(target: PushTargetRow, payload: PushPayload, options: PushOptions): void {
    this.#push(() => this.#send(target, payload, options));
  }

  /** Working out who to notify is queued like the sends, so a burst of messages costs bounded queries too. */
  #background(work: () => Promise<void>, kind: string): void {
    this.#push(() =>
      work().catch((error: unknown) => {
        this.counters.failed.inc();
        this.#log.warn({ err: error, kind }, 'push: could not work out who to notify; no push for this one');
      }),
    );
  }

  #push(job: () => Promise<void>): void {
    if (this.#queue.length >= PUSH_QUEUE_MAX) {
      this.counters.dropped.inc();
      return;
    }
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < PUSH_CONCURRENCY && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#running += 1;
      void job().finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
    if (this.#running === 0 && this.#queue.length === 0) {
      for (const resolve of this.#idle.splice(0)) {
        resolve();
      }
    }
  }

  async #send(target: PushTargetRow, payload: PushPayload, options: PushOptions): Promise<void> {
    try {
      await this.sender.send(target, JSON.stringify(payload), options);
      this.counters.sent.inc();
    } catch (error) {
      if (error instanceof PushRejectedError && error.gone) {
        this.counters.gone.inc();
        this.#log.info({ user: target.userId, status: error.status }, 'push: subscription gone; deleted');
        await this.subscriptions.deleteById(target.id).catch((deleteError: unknown) => {
          this.#log.warn({ err: deleteError }, 'push: could not delete a gone subscription; retried at its next push');
        });
        return;
      }
      this.counters.failed.inc();
      this.#log.warn(
        { err: error, user: target.userId, host: new URL(target.endpoint).host },
        'push: sending failed; this push is lost',
      );
    }
  }
}
