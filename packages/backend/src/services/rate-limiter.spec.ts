import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_KEYS, RateLimiter } from './rate-limiter';

const WINDOW = 60_000;
const T = 1_000_000;

describe(RateLimiter.name, () => {
  it('allows a key up to its budget within a window, then refuses it', () => {
    const limiter = new RateLimiter(3, WINDOW);
    for (let i = 0; i < 3; i++) {
      expect(limiter.allows('ip', T + i)).toBe(true);
      limiter.hit('ip', T + i);
    }

    expect(limiter.allows('ip', T + 10)).toBe(false);
  });

  it('does not count a check, only a hit', () => {
    const limiter = new RateLimiter(1, WINDOW);
    for (let i = 0; i < 5; i++) {
      expect(limiter.allows('ip', T)).toBe(true);
    }
    limiter.hit('ip', T);

    expect(limiter.allows('ip', T)).toBe(false);
  });

  it('allows again once the window that started with the first hit is over', () => {
    const limiter = new RateLimiter(1, WINDOW);
    limiter.hit('ip', T);

    expect(limiter.allows('ip', T + WINDOW - 1)).toBe(false);
    expect(limiter.allows('ip', T + WINDOW)).toBe(true);
  });

  it('starts a fresh window with a hit after the old one expired', () => {
    const limiter = new RateLimiter(2, WINDOW);
    limiter.hit('ip', T);
    limiter.hit('ip', T);
    limiter.hit('ip', T + WINDOW);

    // One hit in the new window: one more is allowed, not zero.
    expect(limiter.allows('ip', T + WINDOW + 1)).toBe(true);
    limiter.hit('ip', T + WINDOW + 1);
    expect(limiter.allows('ip', T + WINDOW + 2)).toBe(false);
  });

  it('keeps keys independent', () => {
    const limiter = new RateLimiter(1, WINDOW);
    limiter.hit('a', T);

    expect(limiter.allows('a', T)).toBe(false);
    expect(limiter.allows('b', T)).toBe(true);
  });

  it('forgets a key on reset', () => {
    const limiter = new RateLimiter(1, WINDOW);
    limiter.hit('a', T);
    limiter.reset('a');

    expect(limiter.allows('a', T)).toBe(true);
  });

  it('keeps counting a key written within the last maxKeys/2 new keys', () => {
    const limiter = new RateLimiter(1, WINDOW, 1000);
    for (let i = 0; i < 2000; i++) {
      limiter.hit(`old${i}`, T);
    }
    limiter.hit('live', T);
    for (let i = 0; i < 499; i++) {
      limiter.hit(`new${i}`, T);
    }

    expect(limiter.size).toBeLessThanOrEqual(1000);
    expect(limiter.allows('live', T + 1)).toBe(false);
    expect(limiter.allows('old0', T + 1)).toBe(true);
  });

  it('holds at most maxKeys entries under a million distinct keys, all inside one window', () => {
    const limiter = new RateLimiter(1, WINDOW, 10_000);
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      limiter.hit(`ip${i}`, T + (i % 1000));
      peak = Math.max(peak, limiter.size);
    }

    expect(peak).toBeLessThanOrEqual(10_000);
    // The newest keys are still counted; the oldest were dropped first.
    expect(limiter.allows('ip999999', T + 1000)).toBe(false);
    expect(limiter.allows('ip0', T + 1000)).toBe(true);
  });

  it('keeps its default bound under a flood of keys', () => {
    const limiter = new RateLimiter(1, WINDOW);
    for (let i = 0; i < DEFAULT_MAX_KEYS + 50_000; i++) {
      limiter.hit(`k${i}`, T);
    }

    expect(limiter.size).toBeLessThanOrEqual(DEFAULT_MAX_KEYS);
    expect(limiter.size).toBeGreaterThanOrEqual(DEFAULT_MAX_KEYS / 2);
  });

  it('tells how long a refused key has to wait', () => {
    const limiter = new RateLimiter(1, WINDOW);
    limiter.hit('ip', T);

    expect(limiter.retryAfterMs('ip', T + 1000)).toBe(WINDOW - 1000);
    expect(limiter.retryAfterMs('other', T + 1000)).toBe(0);
  });
});
