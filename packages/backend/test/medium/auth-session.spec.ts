import { SessionResponse } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { signUp, useTestServer } from './harness';

/** GET /api/auth/session: the web app's signed-out page load asks without an error status (no red 401 in the console). */
describe('GET /api/auth/session', () => {
  const ctx = useTestServer();

  async function session(headers: Record<string, string> = {}) {
    const res = await fetch(`${ctx.server.url}/api/auth/session`, { headers });
    return {
      status: res.status,
      body: SessionResponse.parse(await res.json()),
      cache: res.headers.get('cache-control'),
    };
  }

  it('answers 200 with no user without a session, or with an unknown token', async () => {
    expect(await session()).toMatchObject({ status: 200, body: { user: null }, cache: 'no-store' });
    const forged = await session({ authorization: `Bearer ${'x'.repeat(40)}` });
    expect(forged).toMatchObject({ status: 200, body: { user: null } });
  });

  it('answers the user of a valid session, and no user once it is signed out', async () => {
    const { user, token } = await signUp(ctx.server);
    const cookie = { cookie: `pychat_session=${token}` };
    expect((await session(cookie)).body.user).toEqual(user);
    expect((await session({ authorization: `Bearer ${token}` })).body.user?.id).toBe(user.id);

    const out = await fetch(`${ctx.server.url}/api/auth/sign-out`, { method: 'POST', headers: cookie });
    expect(out.status).toBe(204);
    expect(await session(cookie)).toMatchObject({ status: 200, body: { user: null } });
  });
});
