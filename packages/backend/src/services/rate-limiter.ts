/**
 * Fixed-window counter per key, in memory. Per instance: behind N instances an attacker gets N times the
 * budget, which still bounds online guessing (docs/architecture.md).
 */
export class RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** True while `key` is under its budget; does not count. */
  allows(key: string, now: number): boolean {
    const window = this.#windows.get(key);
    return !window || window.resetAt <= now || window.count < this.max;
  }

  hit(key: string, now: number): void {
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      this.#windows.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.#windows.size > 100_000) {
        this.#sweep(now);
      }
      return;
    }
    window.count += 1;
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetAt <= now) {
        this.#windows.delete(key);
      }
    }
  }
}
