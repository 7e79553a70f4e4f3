/** Keys a limiter keeps at most, unless told otherwise: ~100 bytes each, so about 10 MB at worst. */
export const DEFAULT_MAX_KEYS = 100_000;

/**
 * A Map that never holds more than `maxKeys` entries, in two generations (as hashlru does): writes go to the
 * young one; when it is half full it becomes the old one and the previous old one is dropped whole. Reading
 * an old entry moves it back to the young one. So every key written or read within the last maxKeys/2 new keys
 * survives, and each operation is O(1): an attacker inventing keys (addresses, logins) costs bounded memory
 * and, at worst, makes the limiter forget old counts early.
 */
export class BoundedMap<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();

  constructor(readonly maxKeys: number = DEFAULT_MAX_KEYS) {}

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) {
      return young;
    }
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#store(key, old);
    }
    return old;
  }

  set(key: string, value: V): void {
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#store(key, value);
  }

  delete(key: string): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  #store(key: string, value: V): void {
    this.#young.set(key, value);
    if (this.#young.size >= Math.max(1, Math.floor(this.maxKeys / 2))) {
      this.#old = this.#young;
      this.#young = new Map();
    }
  }
}

/**
 * Fixed-window counter per key, in memory, holding at most `maxKeys` keys. Per instance: behind N instances an
 * attacker gets N times the budget, which still bounds online guessing (docs/architecture.md).
 */
export class RateLimiter {
  readonly #windows: BoundedMap<{ count: number; resetAt: number }>;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    maxKeys = DEFAULT_MAX_KEYS,
  ) {
    this.#windows = new BoundedMap(maxKeys);
  }

  /** Keys held now (bounded by maxKeys). */
  get size(): number {
    return this.#windows.size;
  }

  /** True while `key` is under its budget; does not count. */
  allows(key: string, now: number): boolean {
    return this.retryAfterMs(key, now) === 0;
  }

  /** 0 while `key` is under its budget, else how long until its window ends. */
  retryAfterMs(key: string, now: number): number {
    const window = this.#windows.get(key);
    return !window || window.resetAt <= now || window.count < this.max ? 0 : window.resetAt - now;
  }

  hit(key: string, now: number): void {
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      this.#windows.set(key, { count: 1, resetAt: now + this.windowMs });
      return;
    }
    window.count += 1;
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }
}
