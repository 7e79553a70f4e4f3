import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_CODES, type SignOutAllResponse } from '@pychat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetPassword } from '../../src/cli/user-commands';
import { loadConfig } from '../../src/config/config';
import {
  api,
  connectedUser,
  createBackend,
  dialect,
  startServer,
  TestClient,
  useTestServer,
  useTwoInstances,
  type SharedBackend,
  type TestServer,
} from './harness';

/** What "at once" means for revocation over the bus: well under the session check's interval. */
const AT_ONCE_MS = 1_000;

async function signIn(server: TestServer, login: string): Promise<string> {
  const res = await api<{ token: string }>(server, 'POST', '/api/auth/sign-in', { login, password: 'secret-pw' });
  expect(res.status).toBe(200);
  return res.body.token;
}

async function upgradeStatus(server: TestServer, token: string): Promise<number> {
  return TestClient.connect(server, token).then(
    async (client) => {
      await client.close();
      return 101;
    },
    (error: Error) => Number(/upgrade refused: (\d+)/.exec(error.message)?.[1] ?? 0),
  );
}

async function closedWith(client: TestClient, code: number, withinMs: number): Promise<void> {
  await expect.poll(() => client.closed?.code, { timeout: withinMs, interval: 20 }).toBe(code);
}

/**
 * A database the CLI can open from the same process: a SQLite file (an in-memory one is private to its
 * connection), or the per-file MariaDB database.
 */
async function sharedBackend(): Promise<SharedBackend> {
  if (dialect === 'mysql') {
    return createBackend();
  }
  const dir = mkdtempSync(join(tmpdir(), 'pychat-revoke-'));
  return {
    dbUrl: `sqlite:${join(dir, 'pychat.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe(`sign out everywhere (${dialect})`, () => {
  // The session check is slow here: only the bus can close the sockets within AT_ONCE_MS.
  const instances = useTwoInstances({ PYCHAT_WS_SESSION_CHECK_MS: '3600000' });

  it('closes the sockets of every other session of mine on every instance with 4001 at once, keeping mine', async () => {
    const alice = await connectedUser(instances.first);
    const phoneToken = await signIn(instances.first, alice.user.username);
    const phone = await TestClient.connect(instances.second, phoneToken);
    const laptopToken = await signIn(instances.first, alice.user.username);
    const laptop = await TestClient.connect(instances.second, laptopToken);
    const bob = await connectedUser(instances.second);
    instances.track(alice.client, phone, laptop, bob.client);

    const res = await api<SignOutAllResponse>(
      instances.first,
      'POST',
      '/api/auth/sign-out-all',
      { keepCurrent: true },
      laptopToken,
    );

    expect(res).toEqual({ status: 200, body: { ended: 2 } });
    await closedWith(alice.client, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
    await closedWith(phone, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
    expect(phone.all('session.ended')).toEqual([{ reason: 'signed-out' }]);
    expect(await upgradeStatus(instances.second, phoneToken)).toBe(401);
    expect(await upgradeStatus(instances.first, alice.token)).toBe(401);
    // The session that asked, and other users, stay.
    await laptop.settle();
    await bob.client.settle();
    expect(laptop.closed).toBeNull();
    expect(bob.client.closed).toBeNull();
  });

  it('ends the asking session too unless told to keep it, and needs a session', async () => {
    const alice = await connectedUser(instances.first);
    const other = await TestClient.connect(instances.second, await signIn(instances.first, alice.user.username));
    instances.track(alice.client, other);

    expect((await api(instances.first, 'POST', '/api/auth/sign-out-all')).status).toBe(401);
    const res = await api<SignOutAllResponse>(
      instances.first,
      'POST',
      '/api/auth/sign-out-all',
      undefined,
      alice.token,
    );

    expect(res).toEqual({ status: 200, body: { ended: 2 } });
    await closedWith(alice.client, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
    await closedWith(other, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
    expect((await api(instances.first, 'GET', '/api/users/me', undefined, alice.token)).status).toBe(401);
  });
});

// Own setup, not useTestServer(): a database file the CLI opens too, and servers started per test.
describe(`pychat reset-password reaching running servers (${dialect})`, () => {
  let backend: SharedBackend;
  let dataDir: string;

  beforeAll(async () => {
    backend = await sharedBackend();
    dataDir = mkdtempSync(join(tmpdir(), 'pychat-cli-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await backend.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The CLI's configuration: the same database, with or without the servers' Redis. */
  function cliConfig(withBus: boolean) {
    return loadConfig({
      PYCHAT_DB_URL: backend.dbUrl,
      PYCHAT_DATA_DIR: dataDir,
      ...(withBus && backend.redisUrl
        ? { PYCHAT_REDIS_URL: backend.redisUrl, PYCHAT_REDIS_PREFIX: backend.redisPrefix }
        : {}),
    });
  }

  async function resetFromCli(login: string, withBus: boolean): Promise<string[]> {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    expect(await resetPassword(login, { passwordStdin: false }, cliConfig(withBus))).toBe(0);
    return printed;
  }

  // Only the MariaDB run has Redis (the SQLite run's memory bus cannot reach another process); defined, not skipped.
  if (dialect === 'mysql') {
    it('closes the account’s sockets on every instance at once over Redis', async () => {
      const env = { PYCHAT_WS_SESSION_CHECK_MS: '3600000' };
      const [one, two] = [await startServer(backend, env), await startServer(backend, env)];
      try {
        const victim = await connectedUser(one);
        const attackerToken = await signIn(two, victim.user.username);
        const attacker = await TestClient.connect(two, attackerToken);

        const printed = await resetFromCli(victim.user.username, true);

        expect(printed).toContain('open connections of those sessions were closed');
        await closedWith(attacker, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
        await closedWith(victim.client, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
        expect(attacker.all('session.ended')).toEqual([{ reason: 'password-reset' }]);
        expect(await upgradeStatus(two, attackerToken)).toBe(401);
      } finally {
        await one.stop();
        await two.stop();
      }
    });
  }

  it('without a bus, the periodic session check closes them within its interval', async () => {
    const server = await startServer(backend, { PYCHAT_WS_SESSION_CHECK_MS: '100' });
    try {
      const victim = await connectedUser(server);
      const attackerToken = await signIn(server, victim.user.username);
      const attacker = await TestClient.connect(server, attackerToken);
      const before = await attacker.request('message.history', { roomId: 1 });

      await resetFromCli(victim.user.username, false);

      await closedWith(attacker, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
      await closedWith(victim.client, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
      // Nothing the attacker sends any more is accepted: the socket is gone, the token refused.
      attacker.sendRaw(JSON.stringify({ type: 'message.send', data: { roomId: 1, content: 'x', localId: 'late' } }));
      expect(await upgradeStatus(server, attackerToken)).toBe(401);
      const bystander = await connectedUser(server);
      const after = await bystander.client.request('message.history', { roomId: 1 });
      expect(after.messages.filter((m) => m.senderId === victim.user.id)).toEqual(
        before.messages.filter((m) => m.senderId === victim.user.id),
      );
      await bystander.client.close();
    } finally {
      await server.stop();
    }
  });
});

describe(`session expiry with an open socket (${dialect})`, () => {
  const medium = useTestServer({ PYCHAT_WS_SESSION_CHECK_MS: '100', PYCHAT_SESSION_TTL_DAYS: '1' });

  const sessionOf = async (userId: number): Promise<{ id: number; lastUsedAt: number }> => {
    const rows: { id: number; last_used_at: number | string }[] = await medium.server.pychat.dataSource.query(
      'SELECT id, last_used_at FROM sessions WHERE user_id = ?',
      [userId],
    );
    return { id: Number(rows[0]?.id), lastUsedAt: Number(rows[0]?.last_used_at) };
  };

  it('closes the socket of a session past its TTL with 4001, and keeps a used one alive', async () => {
    const expired = await medium.user();
    const kept = await medium.user();
    const day = 86_400_000;
    await medium.server.pychat.dataSource.query('UPDATE sessions SET last_used_at = ? WHERE id = ?', [
      Date.now() - day - 1_000,
      (await sessionOf(expired.user.id)).id,
    ]);
    // Unused for 2 hours but with an open socket: that socket is use.
    await medium.server.pychat.dataSource.query('UPDATE sessions SET last_used_at = ? WHERE id = ?', [
      Date.now() - 2 * 3_600_000,
      (await sessionOf(kept.user.id)).id,
    ]);

    await closedWith(expired.client, CLOSE_CODES.SESSION_ENDED, AT_ONCE_MS);
    expect(expired.client.all('session.ended')).toEqual([{ reason: 'expired' }]);
    await expect.poll(async () => (await sessionOf(kept.user.id)).lastUsedAt).toBeGreaterThan(Date.now() - 60_000);
    await kept.client.settle();
    expect(kept.client.closed).toBeNull();
  });
});
