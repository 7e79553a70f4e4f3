import { describe, expect, it } from 'vitest';
import { LogSampler } from './log-sampler';

describe(LogSampler.name, () => {
  it('logs the first of each kind per interval and counts the rest', () => {
    const sampler = new LogSampler(1_000);
    const logged = Array.from({ length: 1_000 }, (_, i) => sampler.sample('unknown frame type', i / 10));
    expect(logged.filter((s) => s !== null)).toEqual([0]);
    expect(sampler.sample('socket error', 100)).toBe(0);
    // The next interval logs again and reports what was dropped meanwhile.
    expect(sampler.sample('unknown frame type', 1_000)).toBe(999);
    expect(sampler.drain()).toBeNull();
  });

  it('reports the dropped ones once when drained', () => {
    const sampler = new LogSampler(60_000);
    for (let i = 0; i < 5; i++) {
      sampler.sample('rate limited', i);
    }
    expect(sampler.drain()).toEqual({ 'rate limited': 4 });
    expect(sampler.drain()).toBeNull();
  });
});
