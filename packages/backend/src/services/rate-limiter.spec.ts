import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

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

  it('keeps counting live keys when it sweeps expired ones', () => {
    const limiter = new RateLimiter(1, WINDOW);
    limiter.hit('live', T + WINDOW);
    for (let i = 0; i <= 100_000; i++) {
      limiter.hit(`old${i}`, T);
    }
    // This hit opens a new window and crosses the size limit: expired windows are swept, live ones stay.
    limiter.hit('trigger', T + WINDOW);

    expect(limiter.allows('live', T + WINDOW + 1)).toBe(false);
    expect(limiter.allows('old1', T + WINDOW + 1)).toBe(true);
  });
});
