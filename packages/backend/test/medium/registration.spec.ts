import type { ErrorBody, SessionResponse } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { api, dialect, uniqueName, useTestServer } from './harness';

describe(`closed registration (${dialect})`, () => {
  const t = useTestServer({ PYCHAT_REGISTRATION: 'closed' });

  it('refuses sign-up with REGISTRATION_CLOSED, writes no account, and tells clients to hide the form', async () => {
    const username = uniqueName('closed');
    const res = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-up', { username, password: 'secret-pw' });

    expect(res.status).toBe(403);
    expect(res.body.code).toBe('REGISTRATION_CLOSED');
    const rows = (await t.server.pychat.dataSource.query('SELECT id FROM users WHERE username = ?', [
      username,
    ])) as unknown[];
    expect(rows).toEqual([]);
    const session = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(session.body.features.registration).toBe('closed');
  });
});
