import {
  CLOSE_CODES,
  type AdminUserDto,
  type AdminUsersResponse,
  type ErrorBody,
  type SessionResponse,
} from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import {
  api,
  connectedUser,
  dialect,
  signUp,
  TEST_PASSWORD,
  TestClient,
  uniqueName,
  useTwoInstances,
  type TestServer,
} from './harness';

/** What "at once" means for revocation over the bus: well under the session check's interval. */
const AT_ONCE_MS = 1_000;

async function makeAdmin(server: TestServer, userId: number): Promise<void> {
  await server.pychat.dataSource.query('UPDATE users SET is_admin = 1 WHERE id = ?', [userId]);
}

/** Every /api/admin endpoint with a body it would accept. */
const ENDPOINTS: [string, string, unknown?][] = [
  ['GET', '/api/admin/users'],
  ['PATCH', '/api/admin/users/1', { admin: true }],
  ['GET', '/api/admin/invites'],
  ['POST', '/api/admin/invites', { maxUses: 1 }],
  ['DELETE', '/api/admin/invites/1'],
];

describe(`site admin (${dialect})`, () => {
  // The session check is slow here: only the bus can close a deactivated user's sockets within AT_ONCE_MS.
  const instances = useTwoInstances({ PYCHAT_WS_SESSION_CHECK_MS: '3600000' });

  it('answers every admin endpoint 401 without a session and 403 NOT_SITE_ADMIN to a user who is not an admin', async () => {
    const user = await signUp(instances.first);
    for (const [method, path, body] of ENDPOINTS) {
      const anonymous = await api<ErrorBody>(instances.first, method, path, body);
      expect([method, path, anonymous.status, anonymous.body.code]).toEqual([method, path, 401, 'UNAUTHENTICATED']);
      const plain = await api<ErrorBody>(instances.first, method, path, body, user.token);
      expect([method, path, plain.status, plain.body.code]).toEqual([method, path, 403, 'NOT_SITE_ADMIN']);
    }
    const rows = (await instances.first.pychat.dataSource.query('SELECT COUNT(*) AS n FROM invites')) as {
      n: number | string;
    }[];
    expect(Number(rows[0]?.n)).toBe(0);
    const session = await api<SessionResponse>(instances.first, 'GET', '/api/auth/session', undefined, user.token);
    expect(session.body.admin).toBe(false);
  });

  it('lists users by id, a page at a time, and finds them by the start of the username or email', async () => {
    const admin = await signUp(instances.first);
    await makeAdmin(instances.first, admin.user.id);
    const prefix = uniqueName('s').slice(0, 9);
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(await signUp(instances.first, `${prefix}_${i}`));
    }

    const page = await api<AdminUsersResponse>(
      instances.first,
      'GET',
      `/api/admin/users?q=${prefix}&limit=2&offset=1`,
      undefined,
      admin.token,
    );
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.users.map((u) => u.username)).toEqual([`${prefix}_1`, `${prefix}_2`]);
    expect(page.body.users[0]).toMatchObject({ id: made[1]?.user.id, admin: false, deactivatedAt: null });
    // "_" is a LIKE wildcard: searched for as itself.
    const literal = await api<AdminUsersResponse>(
      instances.first,
      'GET',
      `/api/admin/users?q=${prefix.slice(0, 4)}_`,
      undefined,
      admin.token,
    );
    expect(literal.body.total).toBe(0);
    const session = await api<SessionResponse>(instances.first, 'GET', '/api/auth/session', undefined, admin.token);
    expect(session.body.admin).toBe(true);
  });

  it('deactivation closes every open socket of the user on every instance at once and refuses their sign-ins', async () => {
    const admin = await signUp(instances.first);
    await makeAdmin(instances.first, admin.user.id);
    const bob = await connectedUser(instances.first);
    const bobPhone = await TestClient.connect(instances.second, bob.token);
    instances.track(bob.client, bobPhone);

    const res = await api<AdminUserDto>(
      instances.second,
      'PATCH',
      `/api/admin/users/${bob.user.id}`,
      { deactivated: true },
      admin.token,
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bob.user.id, username: bob.user.username });
    expect(res.body.deactivatedAt).toEqual(expect.any(Number));
    for (const client of [bob.client, bobPhone]) {
      await expect
        .poll(() => client.closed?.code, { timeout: AT_ONCE_MS, interval: 20 })
        .toBe(CLOSE_CODES.SESSION_ENDED);
      expect(client.all('session.ended')).toEqual([{ reason: 'deactivated' }]);
    }
    const me = await api<ErrorBody>(instances.first, 'GET', '/api/users/me', undefined, bob.token);
    expect(me.status).toBe(401);
    const signIn = await api<ErrorBody>(instances.first, 'POST', '/api/auth/sign-in', {
      login: bob.user.username,
      password: TEST_PASSWORD,
    });
    expect([signIn.status, signIn.body.code]).toEqual([403, 'ACCOUNT_DEACTIVATED']);
    // A wrong password says nothing about the account.
    const wrong = await api<ErrorBody>(instances.first, 'POST', '/api/auth/sign-in', {
      login: bob.user.username,
      password: 'not-the-password',
    });
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const back = await api<AdminUserDto>(
      instances.first,
      'PATCH',
      `/api/admin/users/${bob.user.id}`,
      { deactivated: false },
      admin.token,
    );
    expect(back.body.deactivatedAt).toBeNull();
    const again = await api(instances.first, 'POST', '/api/auth/sign-in', {
      login: bob.user.username,
      password: TEST_PASSWORD,
    });
    expect(again.status).toBe(200);
  });

  it('makes and unmakes another admin, but never takes admin from or deactivates yourself (LAST_ADMIN)', async () => {
    const admin = await signUp(instances.first);
    await makeAdmin(instances.first, admin.user.id);
    const carol = await signUp(instances.first);

    const made = await api<AdminUserDto>(
      instances.first,
      'PATCH',
      `/api/admin/users/${carol.user.id}`,
      { admin: true },
      admin.token,
    );
    expect(made.body.admin).toBe(true);
    expect((await api(instances.first, 'GET', '/api/admin/users', undefined, carol.token)).status).toBe(200);

    for (const patch of [{ admin: false }, { deactivated: true }]) {
      const self = await api<ErrorBody>(
        instances.first,
        'PATCH',
        `/api/admin/users/${admin.user.id}`,
        patch,
        admin.token,
      );
      expect([self.status, self.body.code]).toEqual([409, 'LAST_ADMIN']);
    }
    const unmade = await api<AdminUserDto>(
      instances.first,
      'PATCH',
      `/api/admin/users/${carol.user.id}`,
      { admin: false },
      admin.token,
    );
    expect(unmade.body.admin).toBe(false);
    const refused = await api<ErrorBody>(instances.first, 'GET', '/api/admin/users', undefined, carol.token);
    expect(refused.body.code).toBe('NOT_SITE_ADMIN');
    const missing = await api<ErrorBody>(
      instances.first,
      'PATCH',
      '/api/admin/users/99999999',
      { admin: true },
      admin.token,
    );
    expect([missing.status, missing.body.code]).toEqual([404, 'USER_NOT_FOUND']);
  });
});
