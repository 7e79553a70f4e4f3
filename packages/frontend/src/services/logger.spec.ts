import { describe, expect, it } from 'vitest';
import { LOG_LEVEL_KEY, startLogLevel } from './logger';

const storage = (value: string | null) => ({ getItem: (key: string) => (key === LOG_LEVEL_KEY ? value : null) });

describe('startLogLevel', () => {
  it('starts with the level this device last applied from the user setting', () => {
    expect(startLogLevel(storage('warn'))).toBe('warn');
    expect(startLogLevel(storage('trace'))).toBe('trace');
  });

  it('reads the old on/off switch as debug/disable and anything else as disable', () => {
    expect(startLogLevel(storage('on'))).toBe('debug');
    expect(startLogLevel(storage('off'))).toBe('disable');
    expect(startLogLevel(storage(null))).toBe('disable');
    expect(startLogLevel(storage('verbose'))).toBe('disable');
  });
});
