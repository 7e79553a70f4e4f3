import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize } from './attachment-format';

describe('attachment formats', () => {
  it('shows sizes in decimal units with one decimal below 10', () => {
    expect(formatSize(12)).toBe('12 B');
    expect(formatSize(1_400_000)).toBe('1.4 MB');
    expect(formatSize(830_000)).toBe('830 kB');
    expect(formatSize(104_857_600)).toBe('105 MB');
  });

  it('shows durations as m:ss, and 0:00 for the Infinity a fresh MediaRecorder WebM reports', () => {
    expect(formatDuration(65.4)).toBe('1:05');
    expect(formatDuration(Infinity)).toBe('0:00');
  });
});
