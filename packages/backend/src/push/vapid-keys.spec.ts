import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVapidKeys, VAPID_KEYS_FILE, vapidKeyProblem } from './vapid-keys';

describe('loadVapidKeys', () => {
  it('generates a usable pair once into the data dir, owner-only, and reads the same pair after a restart', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pychat-vapid-')), 'data');
    const first = loadVapidKeys(null, dir);
    expect(vapidKeyProblem(first)).toBeNull();
    expect(statSync(join(dir, VAPID_KEYS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(loadVapidKeys(null, dir)).toEqual(first);
    expect(JSON.parse(readFileSync(join(dir, VAPID_KEYS_FILE), 'utf8'))).toEqual(first);
  });

  it('uses the configured pair and writes nothing', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pychat-vapid-')), 'data');
    const pair = { publicKey: 'p', privateKey: 'q' };
    expect(loadVapidKeys(pair, dir)).toBe(pair);
    expect(() => statSync(dir)).toThrow();
  });
});
