import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../services/password';
import { flushOnline } from './db-commands';
import { cliConfig, withDb } from './context';
import { createUser, resetPassword } from './user-commands';

type Db = Parameters<Parameters<typeof withDb>[2]>[0];

/** The row as the CLI left it, read with plain SQL (cli/ code does not import entities). */
async function userNamed(ds: Db, username: string): Promise<{ id: number; passwordHash: string | null }> {
  const [row] = (await ds.query('SELECT id, password_hash FROM users WHERE username = ?', [username])) as {
    id: number;
    password_hash: string | null;
  }[];
  if (!row) {
    throw new Error(`no user ${username}`);
  }
  return { id: row.id, passwordHash: row.password_hash };
}

/** The CLI against a throwaway SQLite data dir, as an operator would run it. */
describe('pychat create-user / reset-password', () => {
  let printed: string[];

  beforeEach(() => {
    vi.stubEnv('PYCHAT_DATA_DIR', mkdtempSync(join(tmpdir(), 'pychat-cli-')));
    vi.stubEnv('PYCHAT_DB_URL', 'sqlite:');
    printed = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const password = () => printed.find((l) => l.startsWith('password: '))?.slice('password: '.length) ?? '';

  it('creates an account in the "all" room with a printed random password, --admin owning the "all" channel', async () => {
    expect(await createUser('alice', { admin: true, passwordStdin: false })).toBe(0);
    expect(printed).toContain('created user alice (id 1), site admin and admin of the "all" channel');
    const generated = password();
    expect(generated).toMatch(/^[\w-]{16}$/);
    await withDb(cliConfig(), false, async (ds) => {
      const user = await userNamed(ds, 'alice');
      expect(await verifyPassword(generated, user.passwordHash ?? '')).toBe(true);
      expect((await ds.query('SELECT admin_id FROM channels WHERE id = 1'))[0].admin_id).toBe(user.id);
      expect(Number((await ds.query('SELECT is_admin FROM users WHERE id = ?', [user.id]))[0].is_admin)).toBe(1);
      expect(await ds.query('SELECT room_id FROM room_members WHERE user_id = ?', [user.id])).toEqual([{ room_id: 1 }]);
    });
  });

  it('refuses a taken name (any case), a bad name and a bad email in plain words', async () => {
    await createUser('bob', { admin: false, passwordStdin: false, email: 'bob@example.com' });
    await expect(createUser('BOB', { admin: false, passwordStdin: false })).rejects.toThrow(
      'username "BOB" is already taken',
    );
    await expect(createUser('carl', { admin: false, passwordStdin: false, email: 'BOB@example.com' })).rejects.toThrow(
      'email "BOB@example.com" is already used',
    );
    await expect(createUser('no spaces', { admin: false, passwordStdin: false })).rejects.toThrow(/Username/);
    await expect(createUser('dave', { admin: false, passwordStdin: false, email: 'nope' })).rejects.toThrow(/email/i);
    await expect(createUser(undefined, { admin: false, passwordStdin: false })).rejects.toThrow('needs a username');
  });

  it('sets a new password by username or email and signs the account out everywhere', async () => {
    await createUser('erin', { admin: false, passwordStdin: false, email: 'erin@example.com' });
    await withDb(cliConfig(), false, async (ds) => {
      const user = await userNamed(ds, 'erin');
      await ds.query(
        'INSERT INTO sessions (user_id, token_hash, created_at, last_used_at, user_agent, ip) VALUES (?, ?, 1, 1, NULL, NULL)',
        [user.id, 'a'.repeat(64)],
      );
    });
    printed = [];
    expect(await resetPassword('ERIN@example.com', { passwordStdin: false })).toBe(0);
    expect(printed[0]).toBe('password of erin (id 1) changed; 1 session(s) signed out');
    await withDb(cliConfig(), false, async (ds) => {
      const user = await userNamed(ds, 'erin');
      expect(await verifyPassword(password(), user.passwordHash ?? '')).toBe(true);
      expect(await ds.query('SELECT id FROM sessions WHERE user_id = ?', [user.id])).toEqual([]);
    });
    await expect(resetPassword('nobody', { passwordStdin: false })).rejects.toThrow(
      'no account with username "nobody"',
    );
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('pychat flush-online', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('deletes the presence hashes and the instance set under the prefix, and nothing else', async () => {
    const prefix = `cli-${Date.now()}:`;
    vi.stubEnv('PYCHAT_REDIS_URL', process.env.TEST_REDIS_URL ?? '');
    vi.stubEnv('PYCHAT_REDIS_PREFIX', prefix);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
    try {
      await redis.hset(`${prefix}presence:a`, '1', '2');
      await redis.hset(`${prefix}presence:b`, '3', '1');
      await redis.zadd(`${prefix}instances`, Date.now(), 'a');
      await redis.set(`${prefix}other`, 'kept');
      expect(await flushOnline()).toBe(0);
      expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}other`]);
      await redis.del(`${prefix}other`);
    } finally {
      redis.disconnect();
    }
  });
});
