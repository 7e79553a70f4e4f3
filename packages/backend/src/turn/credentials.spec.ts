import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedTurnPassword, issueTurnCredentials, turnPassword } from './credentials';
import { loadTurnSecret, TURN_SECRET_FILE } from './secret';

describe('TURN REST credentials', () => {
  const secret = 'a-shared-secret-of-some-length';
  const now = 1_800_000_000_000;

  it('issues <expiry>:<userId> with base64 HMAC-SHA1 of the username (coturn use-auth-secret)', () => {
    const c = issueTurnCredentials(secret, 42, now, 3600);
    expect(c.username).toBe(`${now / 1000 + 3600}:42`);
    // RFC 2104 HMAC-SHA1 output is 20 bytes: 28 base64 characters.
    expect(c.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(expectedTurnPassword(secret, c.username, now)).toBe(c.credential);
  });

  it('refuses an expired or malformed username (the TURN server then answers 401)', () => {
    const c = issueTurnCredentials(secret, 42, now, 60);
    expect(expectedTurnPassword(secret, c.username, now + 60_000)).toBeUndefined();
    expect(expectedTurnPassword(secret, '42', now)).toBeUndefined();
    expect(expectedTurnPassword(secret, `x${c.username}`, now)).toBeUndefined();
    expect(turnPassword(`${secret}!`, c.username)).not.toBe(c.credential);
  });

  it('generates the secret once into the data dir, 0600, and reads it back after a restart', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pychat-turn-')), 'data');
    const first = loadTurnSecret(null, dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, TURN_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, TURN_SECRET_FILE), 'utf8').trim()).toBe(first);
    expect(loadTurnSecret(null, dir)).toBe(first);
    expect(loadTurnSecret('configured-secret-value', dir)).toBe('configured-secret-value');
  });
});
