import type { DayCountDto } from '@pychat/protocol';

const DAY_MS = 86_400_000;

/** One count per day from `fromDay` to `toDay` (days since 1970-01-01 UTC); days the server left out are 0. */
export function fillDays(series: readonly DayCountDto[], fromDay: number, toDay: number): number[] {
  const counts = new Array<number>(Math.max(0, toDay - fromDay + 1)).fill(0);
  for (const { day, count } of series) {
    if (day >= fromDay && day <= toDay) {
      counts[day - fromDay] = count;
    }
  }
  return counts;
}

/** The top of a chart's scale: 1, 2 or 5 times a power of ten, at least `max` (and at least 1). */
export function niceCeiling(max: number): number {
  if (max <= 1) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) {
      return step * power;
    }
  }
  return 10 * power;
}

/** "6 Dec", in UTC like the days themselves. */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}
