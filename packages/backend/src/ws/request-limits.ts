import type { ClientType } from '@pychat/protocol';
import { KeyedTokenBuckets, TokenBucket, type BucketRate } from '../services/token-bucket';
import type { Connection } from './connections';

export type RateKind = 'send' | 'typing' | 'create' | 'rtc';

/** The requests that write or fan out per call; everything else is cheap or bounded by the frame queue. */
const KIND_OF: Partial<Record<ClientType, RateKind>> = {
  'message.send': 'send',
  'message.edit': 'send',
  'message.delete': 'send',
  'typing.start': 'typing',
  // Goes to every user's sockets (user.updated).
  'status.set': 'send',
  'room.create': 'create',
  'room.createDirect': 'create',
  'channel.create': 'create',
  // Ringing every member's devices is a fan-out like a message.
  'call.start': 'send',
  'call.join': 'rtc',
  'call.decline': 'rtc',
  'call.leave': 'rtc',
  'rtc.offer': 'rtc',
  'rtc.answer': 'rtc',
  'rtc.candidate': 'rtc',
  // An offer rings every member's devices like a message; the rest is signalling between two devices.
  'transfer.offer': 'send',
  'transfer.accept': 'rtc',
  'transfer.decline': 'rtc',
  'transfer.cancel': 'rtc',
  'transfer.signal': 'rtc',
  'p2p.join': 'rtc',
  'p2p.leave': 'rtc',
  'p2p.signal': 'rtc',
};

/** A user's sockets on one instance together get this many times one socket's budget. */
const USER_FACTOR = 2;

/**
 * Token buckets per socket (on the Connection, freed with it) and per user on this instance (several tabs
 * share one budget). Per instance: with N instances behind a balancer a user's ceiling is N times this;
 * the per-user caps on rooms and channels (RoomService) hold across instances.
 */
export class RequestLimits {
  readonly #perUser: Record<RateKind, KeyedTokenBuckets<number>>;

  constructor(private readonly rates: Record<RateKind, BucketRate>) {
    const perUser = (rate: BucketRate) =>
      new KeyedTokenBuckets<number>({ perSecond: rate.perSecond * USER_FACTOR, burst: rate.burst * USER_FACTOR });
    this.#perUser = {
      send: perUser(rates.send),
      typing: perUser(rates.typing),
      create: perUser(rates.create),
      rtc: perUser(rates.rtc),
    };
  }

  /** 0 when the request may run (its tokens are spent), else the milliseconds to wait. */
  take(conn: Connection, type: ClientType, now: number): number {
    const kind = KIND_OF[type];
    if (!kind) {
      return 0;
    }
    let socketBucket = conn.buckets.get(kind);
    if (!socketBucket) {
      socketBucket = new TokenBucket(this.rates[kind], now);
      conn.buckets.set(kind, socketBucket);
    }
    const socketWait = socketBucket.take(now);
    if (socketWait > 0) {
      return socketWait;
    }
    const userWait = this.#perUser[kind].bucket(conn.userId, now).take(now);
    if (userWait > 0) {
      socketBucket.refund();
    }
    return userWait;
  }

  /** Forgets users whose budgets have refilled (run periodically: memory stays proportional to active users). */
  prune(now: number): void {
    for (const buckets of Object.values(this.#perUser)) {
      buckets.prune(now);
    }
  }
}
