import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';

describe('password', () => {
  it('stores scrypt with its parameters and a salt, and verifies the right password only', async () => {
    const stored = await hashPassword('s3cret pass');

    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
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
});
