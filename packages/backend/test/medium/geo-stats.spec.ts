import { ALL_ROOM_ID, type AdminStatsResponse, type UserPlacesResponse } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { api, signUp, useTestServer, type TestServer } from './harness';

const DAY_MS = 86_400_000;

async function locations(server: TestServer, userId: number): Promise<Record<string, unknown>[]> {
  return server.pychat.dataSource.query(
    'SELECT ip, country_code, country, region, city FROM user_locations WHERE user_id = ? ORDER BY id',
    [userId],
  );
}

describe('country of each connect, behind a trusted proxy with flags on', () => {
  const t = useTestServer({ PYCHAT_TRUST_PROXY: 'loopback', PYCHAT_SHOW_COUNTRY: 'true' });

  it('resolves the forwarded public address offline and shows it to other users; loopback has no country', async () => {
    const uk = await signUp(t.server);
    const local = await signUp(t.server);
    await t.connect(uk.token, { headers: { 'x-forwarded-for': '81.2.69.142' } });
    await t.connect(local.token);

    await expect
      .poll(() => locations(t.server, uk.user.id))
      .toEqual([
        { ip: '81.2.69.142', country_code: 'GB', country: 'United Kingdom', region: 'ENG', city: expect.any(String) },
      ]);
    await expect
      .poll(() => locations(t.server, local.user.id))
      .toEqual([{ ip: '127.0.0.1', country_code: null, country: null, region: null, city: null }]);

    const { status, body } = await api<UserPlacesResponse>(
      t.server,
      'GET',
      '/api/users/places',
      undefined,
      local.token,
    );
    expect(status).toBe(200);
    expect(body.enabled).toBe(true);
    expect(body.places[String(uk.user.id)]).toMatchObject({ countryCode: 'GB', country: 'United Kingdom' });
    expect(body.places[String(local.user.id)]).toBeUndefined();
  });

  it('shows the place of the address the user connected from last', async () => {
    const traveller = await signUp(t.server);
    const first = await t.connect(traveller.token, { headers: { 'x-forwarded-for': '81.2.69.142' } });
    await expect.poll(async () => (await locations(t.server, traveller.user.id)).length).toBe(1);
    await first.close();
    // Recorded a millisecond later at least, so "last" is not a tie.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await t.connect(traveller.token, { headers: { 'x-forwarded-for': '8.8.8.8' } });
    await expect.poll(async () => (await locations(t.server, traveller.user.id)).length).toBe(2);

    const { body } = await api<UserPlacesResponse>(t.server, 'GET', '/api/users/places', undefined, traveller.token);
    expect(body.places[String(traveller.user.id)]).toMatchObject({ countryCode: 'US' });
  });
});

describe('country of each connect, without a trusted proxy and flags off (the defaults)', () => {
  const t = useTestServer();

  it('ignores a forged X-Forwarded-For and shows no flags', async () => {
    const user = await signUp(t.server);
    await t.connect(user.token, { headers: { 'x-forwarded-for': '81.2.69.142' } });
    await expect
      .poll(() => locations(t.server, user.user.id))
      .toEqual([{ ip: '127.0.0.1', country_code: null, country: null, region: null, city: null }]);
    const { body } = await api<UserPlacesResponse>(t.server, 'GET', '/api/users/places', undefined, user.token);
    expect(body).toEqual({ enabled: false, places: {} });
  });
});

describe('admin statistics', () => {
  const t = useTestServer({ PYCHAT_TRUST_PROXY: 'loopback' });

  it('answers the site admin only, with per-day numbers of the seeded data', async () => {
    const db = t.server.pychat.dataSource;
    const admin = await signUp(t.server);
    const bob = await signUp(t.server);
    const carol = await signUp(t.server);
    const today = Math.floor(Date.now() / DAY_MS);
    // The admin signed up three days ago (the first id, so ids still grow with created_at), was active then,
    // and was seen from Germany then.
    await db.query('UPDATE users SET created_at = ? WHERE id = ?', [(today - 3) * DAY_MS + 1000, admin.user.id]);
    await db.query('INSERT INTO user_active_days (day, user_id) VALUES (?, ?)', [today - 3, admin.user.id]);
    await db.query(
      'INSERT INTO user_locations (user_id, ip, country_code, country, region, city, first_seen_at, last_seen_at) ' +
        "VALUES (?, '2.2.2.2', 'DE', 'Germany', NULL, NULL, ?, ?)",
      [carol.user.id, Date.now(), Date.now()],
    );

    const adminTab = await t.connect(admin.token, { headers: { 'x-forwarded-for': '81.2.69.142' } });
    const bobTab = await t.connect(bob.token, { headers: { 'x-forwarded-for': '8.8.8.8' } });
    for (const content of ['one', 'two']) {
      await bobTab.request('message.send', { roomId: ALL_ROOM_ID, content, localId: `l-${content}` });
    }
    await expect.poll(async () => Number((await db.query('SELECT COUNT(*) AS n FROM user_locations'))[0].n)).toBe(3);

    const path = '/api/admin/stats/overview?days=7';
    expect((await api(t.server, 'GET', path)).status).toBe(401);
    const refused = await api<{ code: string }>(t.server, 'GET', path, undefined, bob.token);
    expect(refused).toEqual({ status: 403, body: expect.objectContaining({ code: 'NOT_SITE_ADMIN' }) });

    await db.query('UPDATE users SET is_admin = ? WHERE id = ?', [true, admin.user.id]);
    const { status, body } = await api<AdminStatsResponse>(t.server, 'GET', path, undefined, admin.token);
    expect(status).toBe(200);
    expect(body).toEqual({
      fromDay: today - 6,
      toDay: today,
      signups: [
        { day: today - 3, count: 1 },
        { day: today, count: 2 },
      ],
      activeUsers: [
        { day: today - 3, count: 1 },
        { day: today, count: 2 },
      ],
      messages: [{ day: today, count: 2 }],
      countries: [
        { countryCode: 'DE', country: 'Germany', users: 1 },
        { countryCode: 'GB', country: 'United Kingdom', users: 1 },
        { countryCode: 'US', country: 'United States', users: 1 },
      ],
      onlineNow: 2,
      totalUsers: 3,
    });
    expect(adminTab.closed).toBeFalsy();

    const lastDay = await api<AdminStatsResponse>(
      t.server,
      'GET',
      '/api/admin/stats/overview?days=1',
      undefined,
      admin.token,
    );
    expect(lastDay.body.signups).toEqual([{ day: today, count: 2 }]);
    expect(lastDay.body.activeUsers).toEqual([{ day: today, count: 2 }]);

    const tooLong = await api<{ code: string }>(
      t.server,
      'GET',
      '/api/admin/stats/overview?days=5000',
      undefined,
      admin.token,
    );
    expect(tooLong).toEqual({ status: 400, body: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
  });
});
