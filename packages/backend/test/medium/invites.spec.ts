import type { AuthResponse, CreateInviteResponse, ErrorBody, InvitesResponse, SessionResponse } from '@pychat/protocol';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/services/auth.service';
import { api, dialect, TEST_PASSWORD, uniqueName, useTestServer, type TestServer } from './harness';

async function adminToken(server: TestServer): Promise<string> {
  // The first admin comes from the operator (`pychat create-user --admin`): here an invite row written directly.
  const token = randomBytes(32).toString('base64url');
  await server.pychat.dataSource.query(
    'INSERT INTO invites (token_hash, created_at, max_uses, uses) VALUES (?, ?, 1, 0)',
    [hashToken(token), Date.now()],
  );
  const res = await signUpWith(server, token);
  await server.pychat.dataSource.query('UPDATE users SET is_admin = 1 WHERE id = ?', [res.body.user.id]);
  return res.body.token;
}

function signUpWith(server: TestServer, invite: string | undefined, username = uniqueName('inv')) {
  return api<AuthResponse & ErrorBody>(server, 'POST', '/api/auth/sign-up', {
    username,
    password: TEST_PASSWORD,
    ...(invite === undefined ? {} : { invite }),
  });
}

describe(`invite-only registration (${dialect})`, () => {
  const t = useTestServer({ PYCHAT_REGISTRATION: 'invite' });
  let admin: string;
  beforeAll(async () => {
    admin = await adminToken(t.server);
  });
  const createInvite = async (body: { maxUses: number; expiresInHours?: number }) => {
    const res = await api<CreateInviteResponse>(t.server, 'POST', '/api/admin/invites', body, admin);
    expect(res.status).toBe(201);
    return res.body;
  };

  it('tells clients sign-up needs an invite, and refuses one without (INVITE_REQUIRED) or unknown (INVITE_INVALID)', async () => {
    const session = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(session.body.features.registration).toBe('invite');
    const none = await signUpWith(t.server, undefined);
    expect([none.status, none.body.code]).toEqual([403, 'INVITE_REQUIRED']);
    const unknown = await signUpWith(t.server, 'x'.repeat(43));
    expect([unknown.status, unknown.body.code]).toEqual([403, 'INVITE_INVALID']);
  });

  it('lets an invite sign up as many users as it allows, lists its uses, then refuses (INVITE_USED_UP)', async () => {
    const { invite, token } = await createInvite({ maxUses: 3, expiresInHours: 24 });
    expect(invite).toMatchObject({ maxUses: 3, uses: 0, state: 'active', revokedAt: null });
    expect(invite.expiresAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    expect((await signUpWith(t.server, token)).status).toBe(201);
    // A sign-up that fails for another reason (name taken) gives its use back.
    const taken = await signUpWith(t.server, token, (await signUpWith(t.server, token)).body.user.username);
    expect(taken.body.code).toBe('USERNAME_TAKEN');
    expect((await signUpWith(t.server, token)).status).toBe(201);
    const usedUp = await signUpWith(t.server, token);
    expect([usedUp.status, usedUp.body.code]).toEqual([410, 'INVITE_USED_UP']);

    const list = await api<InvitesResponse>(t.server, 'GET', '/api/admin/invites', undefined, admin);
    expect(list.body.invites.find((i) => i.id === invite.id)).toMatchObject({ uses: 3, state: 'used-up' });
  });

  it('refuses a revoked invite (INVITE_INVALID) and an expired one (INVITE_EXPIRED)', async () => {
    const revoked = await createInvite({ maxUses: 5 });
    expect(revoked.invite.expiresAt).toBeNull();
    expect((await api(t.server, 'DELETE', `/api/admin/invites/${revoked.invite.id}`, undefined, admin)).status).toBe(
      204,
    );
    const afterRevoke = await signUpWith(t.server, revoked.token);
    expect([afterRevoke.status, afterRevoke.body.code]).toEqual([403, 'INVITE_INVALID']);

    const expired = await createInvite({ maxUses: 5, expiresInHours: 1 });
    await t.server.pychat.dataSource.query('UPDATE invites SET expires_at = ? WHERE id = ?', [
      Date.now() - 1,
      expired.invite.id,
    ]);
    const afterExpiry = await signUpWith(t.server, expired.token);
    expect([afterExpiry.status, afterExpiry.body.code]).toEqual([410, 'INVITE_EXPIRED']);

    const list = await api<InvitesResponse>(t.server, 'GET', '/api/admin/invites', undefined, admin);
    const states = new Map(list.body.invites.map((i) => [i.id, i.state]));
    expect([states.get(revoked.invite.id), states.get(expired.invite.id)]).toEqual(['revoked', 'expired']);
    const missing = await api<ErrorBody>(t.server, 'DELETE', '/api/admin/invites/99999999', undefined, admin);
    expect([missing.status, missing.body.code]).toEqual([404, 'INVITE_NOT_FOUND']);
  });

  it('never lets concurrent sign-ups use an invite more often than it allows', async () => {
    const { invite, token } = await createInvite({ maxUses: 3 });

    const results = await Promise.all(Array.from({ length: 12 }, () => signUpWith(t.server, token)));

    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(new Set(results.filter((r) => r.status !== 201).map((r) => r.body.code))).toEqual(
      new Set(['INVITE_USED_UP']),
    );
    const rows = (await t.server.pychat.dataSource.query('SELECT uses FROM invites WHERE id = ?', [invite.id])) as {
      uses: number | string;
    }[];
    expect(Number(rows[0]?.uses)).toBe(3);
  });
});
