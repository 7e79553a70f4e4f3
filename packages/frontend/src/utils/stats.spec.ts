import { describe, expect, it } from 'vitest';
import { dayLabel, fillDays, niceCeiling } from './stats';

describe('fillDays', () => {
  it('puts each count on its day and zero on the days without any', () => {
    expect(
      fillDays(
        [
          { day: 101, count: 3 },
          { day: 104, count: 1 },
        ],
        100,
        104,
      ),
    ).toEqual([0, 3, 0, 0, 1]);
  });

  it('ignores days outside the range', () => {
    expect(fillDays([{ day: 99, count: 7 }], 100, 101)).toEqual([0, 0]);
  });
});

describe('niceCeiling', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 240, 501].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 500, 1000]);
  });
});

describe('dayLabel', () => {
  it('names the UTC day', () => {
    expect(dayLabel(Date.UTC(2026, 11, 6) / 86_400_000)).toBe('6 Dec');
  });
});
