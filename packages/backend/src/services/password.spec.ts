import { describe, expect, it } from 'vitest';
import { TEST_SCRYPT } from '../../test/service';
import { AppError } from '../errors';
import { assertPasswordAllowed, DEFAULT_SCRYPT, hashPassword, PasswordHasher, verifyPassword } from './password';

describe('password', () => {
  it('stores scrypt with its parameters and a salt, and verifies the right password only', async () => {
    const stored = await hashPassword('s3cret pass');

    // OWASP's N=2^14, r=8, p=5 row (docs/architecture.md#passwords).
    expect(stored).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('s3cret');
    await expect(verifyPassword('s3cret pass', stored)).resolves.toBe(true);
    await expect(verifyPassword('s3cret pasS', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash, so equal passwords do not give equal hashes', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);

    expect(a).not.toBe(b);
    await expect(verifyPassword('same', b)).resolves.toBe(true);
  });

  it('reads the cost parameters from the stored hash, so they can be raised later', async () => {
    // A hash made with lower parameters than today's, as an older version would have stored it.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old', salt, 32, { N: 1024, r: 8, p: 1 });
    const stored = ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');

    await expect(verifyPassword('old', stored)).resolves.toBe(true);
    await expect(verifyPassword('new', stored)).resolves.toBe(false);
  });

  it('treats the same text typed in another Unicode form as the same password (NFKC)', async () => {
    const stored = await hashPassword('ﬁle\u00e9'); // "fi" ligature, precomposed é

    await expect(verifyPassword('file\u0065\u0301', stored)).resolves.toBe(true);
  });

  it.each([
    ['another scheme', 'bcrypt$10$abc$def'],
    ['a truncated hash', 'scrypt$32768$8$1$c2FsdA=='],
    ['an empty string', ''],
  ])('does not accept %s', async (_, stored) => {
    await expect(verifyPassword('anything', stored)).resolves.toBe(false);
  });

  it('does not accept a hash of the wrong length', async () => {
    const stored = await hashPassword('pw');
    const parts = stored.split('$');
    parts[5] = Buffer.from('short').toString('base64');

    await expect(verifyPassword('pw', parts.join('$'))).resolves.toBe(false);
  });

  it('keeps at most `concurrency` hashes in memory at once, queueing the rest', async () => {
    const hasher = new PasswordHasher(TEST_SCRYPT, 2);
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, hasher.running)), 0);
    const probe = async (work: Promise<unknown>) => {
      peak = Math.max(peak, hasher.running);
      return work;
    };
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => probe(hasher.hash(`password-${i}`))));
    clearInterval(sample);

    expect(hashes).toHaveLength(12);
    expect(peak).toBe(2);
    expect(hasher.running).toBe(0);
  });

  it('answers RATE_LIMITED with a retry-after once too many callers wait for a slot', async () => {
    const hasher = new PasswordHasher(TEST_SCRYPT, 1);
    const results = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => hasher.hash(`pw-${i}`)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as AppError);

    // One running and 100 waiting are served; the rest are told to come back.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(101);
    expect(refused).toHaveLength(49);
    expect(refused[0]).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
  });

  it('marks hashes made with other parameters as outdated', async () => {
    const cheap = await new PasswordHasher(TEST_SCRYPT).hash('pw');

    expect(new PasswordHasher().isOutdated(cheap)).toBe(true);
    expect(new PasswordHasher(TEST_SCRYPT).isOutdated(cheap)).toBe(false);
    expect(DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * DEFAULT_SCRYPT.p).toBeGreaterThanOrEqual(2 ** 14 * 8 * 5);
  });

  it.each(['password1', 'iloveyou2', 'Password1', 'qwertyuiop', '12345678'])(
    'refuses the common password %s',
    (password) => {
      expect(() => assertPasswordAllowed(password)).toThrow(AppError);
      expect(() => assertPasswordAllowed(password)).toThrow(/too common/);
    },
  );

  it('accepts a password that is not on the list', () => {
    expect(() => assertPasswordAllowed('correct horse battery')).not.toThrow();
  });
});
