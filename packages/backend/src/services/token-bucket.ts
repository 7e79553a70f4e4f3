/** A budget: `burst` requests at once, refilled at `perSecond`. */
export interface BucketRate {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * One token bucket. Starts full; `take` spends one token or says how long until one is back.
 * Time is passed in (ms), so tests need no fake timers.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly rate: BucketRate,
    now: number,
  ) {
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** 0 when a token was taken, else the milliseconds until one is available (nothing is taken then). */
  take(now: number): number {
    this.refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.rate.perSecond) * 1000);
  }

  /** Gives back a token taken for a request another bucket then refused, so it is not charged twice. */
  refund(): void {
    this.#tokens = Math.min(this.rate.burst, this.#tokens + 1);
  }

  /** True when the bucket is full again at `now`: forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.#tokens >= this.rate.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.rate.burst, this.#tokens + (elapsed / 1000) * this.rate.perSecond);
  }
}

/**
 * Token buckets by key (a user id), with bounded memory: full buckets are dropped by `prune`, and past
 * `maxKeys` the oldest key is forgotten (which can only hand that key a full budget early, never refuse it).
 */
export class KeyedTokenBuckets<K> {
  readonly #buckets = new Map<K, TokenBucket>();

  constructor(
    private readonly rate: BucketRate,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  bucket(key: K, now: number): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) {
          this.#buckets.delete(oldest.value);
        }
      }
      bucket = new TokenBucket(this.rate, now);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Forgets every bucket that has refilled completely. */
  prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFull(now)) {
        this.#buckets.delete(key);
      }
    }
  }
}
