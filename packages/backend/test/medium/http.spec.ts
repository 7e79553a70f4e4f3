import {
  ALL_ROOM_ID,
  AuthResponse,
  AvailabilityResponse,
  CLOSE_CODES,
  HealthResponse,
  PROTOCOL_VERSION,
  ProfileResponse,
  SESSION_COOKIE,
  UserDto,
  UsersResponse,
} from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  connectedUser,
  dialect,
  signUp,
  startServer,
  TestClient,
  uniqueName,
  useTestServer,
  type TestServer,
} from './harness';

const PASSWORD = 'secret-pw';

async function countUsers(server: TestServer): Promise<number> {
  // COUNT(*) comes back as a string on MySQL.
  const rows = (await server.pychat.dataSource.query('SELECT COUNT(*) AS n FROM users')) as { n: number | string }[];
  return Number(rows[0]?.n);
}

/** A raw request, for what `api` hides: headers, cookies, non-JSON bodies. */
async function raw(
  server: TestServer,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers; cookies: string[] }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text so a failing assertion shows it.
  }
  return { status: res.status, body, headers: res.headers, cookies: res.headers.getSetCookie() };
}

function postJson(server: TestServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return raw(server, 'POST', path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function sessionCookie(cookies: string[]): string | undefined {
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

describe(`HTTP API (${dialect})`, () => {
  const medium = useTestServer();
  let server: TestServer;
  /** Connected before the sign-ups below, to see their user.created. */
  let observer: Awaited<ReturnType<typeof connectedUser>>;
  /** Signed up with an email in beforeAll. */
  let carol: { username: string; email: string; token: string; id: number };

  // The observer lives for the whole block (medium.user() sockets close after each test).
  beforeAll(async () => {
    server = medium.server;
    observer = await connectedUser(server);
    const username = uniqueName('Carol');
    const email = `${username}@Example.org`;
    const res = await postJson(server, '/api/auth/sign-up', { username, password: PASSWORD, email });
    expect(res.status).toBe(201);
    const body = AuthResponse.parse(res.body);
    carol = { username, email, token: body.token, id: body.user.id };
  });
  afterAll(async () => {
    await observer.client.close();
  });

  describe('POST /api/auth/sign-up', () => {
    it('answers 201 with the user and a token that is also set as an httpOnly SameSite=Lax cookie', async () => {
      const username = uniqueName('new');
      const res = await postJson(server, '/api/auth/sign-up', { username, password: PASSWORD, sex: 'female' });
      expect(res.status).toBe(201);
      const body = AuthResponse.parse(res.body);
      expect(body.user).toMatchObject({ username, sex: 'female', thumbnail: null, lastSeenAt: null });
      expect(body.token.length).toBeGreaterThanOrEqual(32);

      const cookie = sessionCookie(res.cookies);
      expect(cookie).toBeDefined();
      const attributes = cookie!.split(';').map((part) => part.trim());
      expect(attributes[0]).toBe(`${SESSION_COOKIE}=${body.token}`);
      expect(attributes).toContain('HttpOnly');
      expect(attributes).toContain('SameSite=Lax');
      expect(attributes).toContain('Path=/');
      // Not Secure by default: the embedded install serves plain HTTP on the LAN.
      expect(attributes).not.toContain('Secure');
      expect(attributes.some((a) => a.startsWith('Max-Age='))).toBe(true);
    });

    it('makes the new user a member of the "all" room and tells connected users with user.created', async () => {
      const username = uniqueName('joiner');
      const auth = await signUp(server, username);
      const created = await observer.client.waitFor('user.created', (d) => d.user.id === auth.user.id);
      expect(UserDto.parse(created.user)).toEqual(auth.user);

      const client = await TestClient.connect(server, auth.token);
      const all = client.ready.rooms.find((r) => r.id === ALL_ROOM_ID);
      expect(all?.members?.map((m) => m.userId)).toContain(auth.user.id);
      expect(client.ready.me).toEqual(auth.user);
      expect(client.ready.users.map((u) => u.id)).toContain(observer.user.id);
      const history = await client.request('message.history', { roomId: ALL_ROOM_ID });
      expect(history.messages).toEqual(expect.any(Array));
      await client.close();

      const rooms = await api<{ rooms: { id: number }[] }>(server, 'GET', '/api/rooms', undefined, auth.token);
      expect(rooms.body.rooms.map((r) => r.id)).toContain(ALL_ROOM_ID);
      const members = await api<{ members: { userId: number }[] }>(
        server,
        'GET',
        `/api/rooms/${ALL_ROOM_ID}/members`,
        undefined,
        observer.token,
      );
      expect(members.body.members.map((m) => m.userId)).toContain(auth.user.id);
    });

    it('accepts a 16-character username of letters, digits, "-" and "_"', async () => {
      const username = `A-_${uniqueName('z')}`.padEnd(16, '9').slice(0, 16);
      const res = await postJson(server, '/api/auth/sign-up', { username, password: PASSWORD });
      expect(res.status).toBe(201);
    });

    it.each([
      ['an empty username', { username: '' }, 'username'],
      ['a 17-character username', { username: 'a'.repeat(17) }, 'username'],
      ['a username with a space', { username: 'ab cd' }, 'username'],
      ['a username with a dot', { username: 'a.b' }, 'username'],
      ['a username with "@"', { username: 'a@b' }, 'username'],
      ['a non-ASCII username', { username: 'jürgen' }, 'username'],
      ['a numeric username', { username: 12345 }, 'username'],
      ['a missing username', { username: undefined }, 'username'],
      ['a 2-character password', { password: 'ab' }, 'password'],
      ['a 7-character password', { password: 'abcdefg' }, 'password'],
      ['a common password', { password: 'Password1' }, 'password'],
      ['a password with a leading space', { password: ' secret' }, 'password'],
      ['a password over 256 characters', { password: 'p'.repeat(257) }, 'password'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['an invalid sex', { sex: 'other' }, 'sex'],
      ['an unknown key', { isAdmin: true }, ''],
    ])('refuses %s with 400 VALIDATION_FAILED and issues, creating nobody', async (_name, patch, path) => {
      const before = await countUsers(server);
      const res = await postJson(server, '/api/auth/sign-up', {
        username: uniqueName('v'),
        password: PASSWORD,
        ...patch,
      });
      expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      const issues = (res.body as { issues?: { path: string; message: string }[] }).issues ?? [];
      expect(issues.map((i) => i.path)).toContain(path);
      expect(sessionCookie(res.cookies)).toBeUndefined();
      expect(await countUsers(server)).toBe(before);
    });

    it('names the unknown key in the issue', async () => {
      const res = await postJson(server, '/api/auth/sign-up', {
        username: uniqueName('k'),
        password: PASSWORD,
        role: 'admin',
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify((res.body as { issues: unknown }).issues)).toContain('role');
    });

    it('refuses a username taken in another case with 409 USERNAME_TAKEN, creating nobody', async () => {
      const before = await countUsers(server);
      for (const username of [carol.username.toUpperCase(), carol.username.toLowerCase()]) {
        const res = await postJson(server, '/api/auth/sign-up', { username, password: PASSWORD });
        expect(res).toMatchObject({ status: 409, body: { code: 'USERNAME_TAKEN' } });
      }
      expect(await countUsers(server)).toBe(before);
    });

    it('refuses an email already used, in any case, with 409 EMAIL_TAKEN, creating nobody', async () => {
      const before = await countUsers(server);
      for (const email of [carol.email, carol.email.toLowerCase(), carol.email.toUpperCase()]) {
        const res = await postJson(server, '/api/auth/sign-up', {
          username: uniqueName('e'),
          password: PASSWORD,
          email,
        });
        expect(res).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
      }
      expect(await countUsers(server)).toBe(before);
    });

    it.each([
      ['truncated JSON', '{"username":"x",'],
      ['single quotes', "{'username':'x'}"],
      ['plain text', 'username=x&password=y'],
    ])('answers %s with 400 BAD_JSON', async (_name, body) => {
      const before = await countUsers(server);
      expect(await postJson(server, '/api/auth/sign-up', body)).toMatchObject({
        status: 400,
        body: { code: 'BAD_JSON' },
      });
      expect(await countUsers(server)).toBe(before);
    });

    it.each([
      ['a JSON array', '[{"username":"x","password":"secret"}]'],
      ['JSON null', 'null'],
    ])('answers %s with 400 VALIDATION_FAILED', async (_name, body) => {
      const res = await postJson(server, '/api/auth/sign-up', body);
      expect(res.status).toBe(400);
      expect(['VALIDATION_FAILED', 'BAD_JSON']).toContain((res.body as { code: string }).code);
    });

    it('answers a form-encoded body with 400 VALIDATION_FAILED (only JSON is read)', async () => {
      const res = await raw(server, 'POST', '/api/auth/sign-up', {
        body: `username=${uniqueName('f')}&password=${PASSWORD}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    });

    it('answers a body above 64 kB with 413 and no stack', async () => {
      const res = await postJson(server, '/api/auth/sign-up', { username: 'x', password: 'p'.repeat(70_000) });
      expect(res).toMatchObject({ status: 413, body: { code: 'FRAME_TOO_LARGE' } });
      expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message']);
    });
  });

  describe('POST /api/auth/sign-in', () => {
    it('signs in by username, in any case, with a new token and cookie', async () => {
      for (const login of [carol.username, carol.username.toUpperCase()]) {
        const res = await postJson(server, '/api/auth/sign-in', { login, password: PASSWORD });
        expect(res.status).toBe(200);
        const body = AuthResponse.parse(res.body);
        expect(body.user.id).toBe(carol.id);
        expect(body.token).not.toBe(carol.token);
        expect(sessionCookie(res.cookies)?.split(';')[0]).toBe(`${SESSION_COOKIE}=${body.token}`);
        expect((await api(server, 'GET', '/api/users/me', undefined, body.token)).status).toBe(200);
      }
    });

    it('signs in by email, in any case', async () => {
      for (const login of [carol.email, carol.email.toLowerCase()]) {
        const res = await postJson(server, '/api/auth/sign-in', { login, password: PASSWORD });
        expect(res.status).toBe(200);
        expect(AuthResponse.parse(res.body).user.id).toBe(carol.id);
      }
    });

    it('answers a wrong password exactly like an unknown user or email: 401 INVALID_CREDENTIALS', async () => {
      const wrong = await postJson(server, '/api/auth/sign-in', { login: carol.username, password: 'wrong-pw' });
      const unknownUser = await postJson(server, '/api/auth/sign-in', { login: 'nobody-here', password: 'wrong-pw' });
      const unknownEmail = await postJson(server, '/api/auth/sign-in', { login: 'nobody@example.org', password: 'x' });
      expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      expect(unknownUser.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(unknownUser.body).toEqual(wrong.body);
      expect(unknownEmail.body).toEqual(wrong.body);
      for (const res of [wrong, unknownUser, unknownEmail]) {
        expect(sessionCookie(res.cookies)).toBeUndefined();
      }
    });

    it.each([
      ['an empty login', { login: '', password: PASSWORD }],
      ['a missing password', { login: 'x' }],
      ['an unknown key', { login: 'x', password: PASSWORD, remember: true }],
    ])('answers %s with 400 VALIDATION_FAILED', async (_name, body) => {
      expect(await postJson(server, '/api/auth/sign-in', body)).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
    });

    it('answers malformed JSON with 400 BAD_JSON', async () => {
      expect(await postJson(server, '/api/auth/sign-in', '{"login":')).toMatchObject({
        status: 400,
        body: { code: 'BAD_JSON' },
      });
    });
  });

  describe('sessions', () => {
    async function signIn(login: string): Promise<string> {
      const res = await postJson(server, '/api/auth/sign-in', { login, password: PASSWORD });
      expect(res.status).toBe(200);
      return AuthResponse.parse(res.body).token;
    }

    it('authenticates REST and the WebSocket upgrade with the cookie alone', async () => {
      const token = await signIn(carol.username);
      const cookie = `${SESSION_COOKIE}=${token}`;
      const me = await raw(server, 'GET', '/api/users/me', { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(UserDto.parse(me.body).id).toBe(carol.id);

      const origin = `http://127.0.0.1:${server.pychat.port}`;
      const { ready } = await medium.connect(null, { headers: { cookie: `other=1; ${cookie}` }, origin });
      expect(ready.me.id).toBe(carol.id);
      expect(ready.protocolVersion).toBe(PROTOCOL_VERSION);
    });

    it('revokes the token on sign-out: REST and the upgrade answer 401, other sessions live on', async () => {
      const token = await signIn(carol.username);
      const other = await signIn(carol.username);
      const res = await raw(server, 'POST', '/api/auth/sign-out', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(204);
      const cleared = sessionCookie(res.cookies);
      expect(cleared).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);

      expect(await api(server, 'GET', '/api/users/me', undefined, token)).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED' },
      });
      expect(
        (await raw(server, 'GET', '/api/users/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).status,
      ).toBe(401);
      await expect(TestClient.connect(server, token)).rejects.toThrow('upgrade refused: 401');
      await expect(medium.connect(null, { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).rejects.toThrow(
        'upgrade refused: 401',
      );

      expect((await api(server, 'GET', '/api/users/me', undefined, other)).status).toBe(200);
    });

    it('revokes the cookie session on sign-out by cookie, closing its open socket with 4001', async () => {
      const token = await signIn(carol.email);
      const cookie = `${SESSION_COOKIE}=${token}`;
      const { ws } = await medium.connect(null, { headers: { cookie } });
      const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
      expect((await raw(server, 'POST', '/api/auth/sign-out', { headers: { cookie } })).status).toBe(204);
      expect(await closed).toBe(CLOSE_CODES.SESSION_ENDED);
      expect((await raw(server, 'GET', '/api/users/me', { headers: { cookie } })).status).toBe(401);
      await expect(medium.connect(null, { headers: { cookie } })).rejects.toThrow('upgrade refused: 401');
    });

    it('answers sign-out without a session with 204 and a cleared cookie', async () => {
      const res = await raw(server, 'POST', '/api/auth/sign-out');
      expect(res.status).toBe(204);
      expect(sessionCookie(res.cookies)).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    });

    it('prefers the Authorization header over the cookie', async () => {
      const token = await signIn(carol.username);
      const res = await raw(server, 'GET', '/api/users/me', {
        headers: { authorization: 'Bearer forged-token-forged-token-forged', cookie: `${SESSION_COOKIE}=${token}` },
      });
      expect(res.status).toBe(401);
    });
  });

  describe('availability', () => {
    it('reports a free username as available', async () => {
      const res = await api(server, 'GET', `/api/auth/username-available?username=${uniqueName('free')}`);
      expect(res.status).toBe(200);
      expect(AvailabilityResponse.parse(res.body)).toEqual({ available: true });
    });

    it('reports a taken username, in another case, as unavailable with a reason', async () => {
      const res = await api(server, 'GET', `/api/auth/username-available?username=${carol.username.toUpperCase()}`);
      expect(AvailabilityResponse.parse(res.body)).toEqual({ available: false, reason: expect.any(String) });
    });

    it.each(['a%20b', 'x'.repeat(17), '', 'a.b'])(
      'reports the invalid username %j as unavailable with the rule',
      async (u) => {
        const res = await api(server, 'GET', `/api/auth/username-available?username=${u}`);
        expect(res.status).toBe(200);
        expect(AvailabilityResponse.parse(res.body)).toEqual({
          available: false,
          reason: expect.stringContaining('Username'),
        });
      },
    );

    it('reports a missing username as unavailable', async () => {
      const res = await api(server, 'GET', '/api/auth/username-available');
      expect(AvailabilityResponse.parse(res.body).available).toBe(false);
    });

    it('has no anonymous email check, so it cannot tell who has an account (sign-up says EMAIL_TAKEN)', async () => {
      const res = await api(server, 'GET', `/api/auth/email-available?email=${encodeURIComponent(carol.email)}`);
      expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    });
  });

  describe('users', () => {
    it('shows the email in a profile only to its owner', async () => {
      const own = await api(server, 'GET', `/api/users/${carol.id}/profile`, undefined, carol.token);
      expect(own.status).toBe(200);
      expect(ProfileResponse.parse(own.body)).toMatchObject({
        userId: carol.id,
        username: carol.username,
        email: carol.email,
      });

      const seen = await api(server, 'GET', `/api/users/${carol.id}/profile`, undefined, observer.token);
      expect(seen.status).toBe(200);
      expect(ProfileResponse.parse(seen.body)).toMatchObject({
        userId: carol.id,
        username: carol.username,
        email: null,
      });
      expect(JSON.stringify(seen.body)).not.toContain(carol.email);
    });

    it('never shows an email in the user list, /me or user.created', async () => {
      const list = await api(server, 'GET', '/api/users', undefined, observer.token);
      const users = UsersResponse.parse(list.body).users;
      expect(users.map((u) => u.id)).toEqual(expect.arrayContaining([carol.id, observer.user.id]));
      expect(JSON.stringify(list.body).toLowerCase()).not.toContain(carol.email.toLowerCase());
      const created = await observer.client.waitFor('user.created', (d) => d.user.id === carol.id);
      expect(JSON.stringify(created).toLowerCase()).not.toContain(carol.email.toLowerCase());
      const me = await api(server, 'GET', '/api/users/me', undefined, carol.token);
      expect(UserDto.parse(me.body)).toMatchObject({ id: carol.id, username: carol.username });
    });

    it('answers an unknown user with 404 USER_NOT_FOUND and a bad id with 400', async () => {
      expect(await api(server, 'GET', '/api/users/987654/profile', undefined, carol.token)).toMatchObject({
        status: 404,
        body: { code: 'USER_NOT_FOUND' },
      });
      expect(await api(server, 'GET', '/api/users/me2/profile', undefined, carol.token)).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
      // Not even percent-decodable (found by the e2e fuzz): still a 400, not a 500.
      expect(await api(server, 'GET', '/api/users/%ff/profile', undefined, carol.token)).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
    });
  });

  describe('routing', () => {
    it.each([
      ['GET', '/api/nope'],
      ['GET', '/api'],
      ['GET', '/api/auth/sign-in'],
      ['PUT', '/api/auth/sign-up'],
      ['POST', '/api/health'],
      ['DELETE', '/api/users/me'],
      ['GET', '/api/rooms/1/nope'],
    ])('answers %s %s with 404 NOT_FOUND as JSON', async (method, path) => {
      const res = await raw(server, method, path, { headers: { authorization: `Bearer ${carol.token}` } });
      expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(res.headers.get('content-type')).toContain('application/json');
    });

    it('answers /api/health with its documented shape', async () => {
      const res = await raw(server, 'GET', '/api/health');
      expect(res.status).toBe(200);
      const health = HealthResponse.parse(res.body);
      expect(health).toMatchObject({ ok: true, db: 'up', bus: dialect === 'mysql' ? 'up' : 'memory' });
      expect(health.instanceId).not.toBe('');
      expect(health.uptimeS).toBeGreaterThanOrEqual(0);
    });

    it('tags every response with an X-Request-Id, errors included', async () => {
      const ok = await raw(server, 'GET', '/api/health');
      const error = await raw(server, 'GET', '/api/nope');
      expect(ok.headers.get('x-request-id')).toMatch(/^[\w-]{6,}$/);
      expect(error.headers.get('x-request-id')).toMatch(/^[\w-]{6,}$/);
      expect(error.headers.get('x-request-id')).not.toBe(ok.headers.get('x-request-id'));
    });
  });

  // Each test here starts its own server: its limiter settings and fresh counters are what it tests. It shares
  // the block's backend: SQLite in memory is private to each server anyway, and on MariaDB sharing the
  // database is fine, as rate limits live in memory per instance.
  describe('sign-in rate limiting', () => {
    it('refuses the attempt after PYCHAT_SIGNIN_MAX_PER_IP with 429 RATE_LIMITED, forwarded-for headers do not help', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNIN_MAX_PER_IP: '3',
        PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT: '100',
      });
      try {
        const user = await signUp(limited);
        const attempts = [
          { login: user.user.username, password: 'wrong-pw' },
          { login: user.user.username, password: PASSWORD },
          { login: 'nobody-here', password: PASSWORD },
        ];
        const statuses = [];
        for (const body of attempts) {
          statuses.push((await postJson(limited, '/api/auth/sign-in', body)).status);
        }
        expect(statuses).toEqual([401, 200, 401]);
        const refused = await postJson(limited, '/api/auth/sign-in', { login: user.user.username, password: PASSWORD });
        expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
        expect(sessionCookie(refused.cookies)).toBeUndefined();
        // Without PYCHAT_TRUST_PROXY the client cannot pick its own IP.
        const spoofed = await postJson(
          limited,
          '/api/auth/sign-in',
          { login: user.user.username, password: PASSWORD },
          { 'x-forwarded-for': '203.0.113.9' },
        );
        expect(spoofed.status).toBe(429);
        // Only sign-in is limited: the session already held keeps working.
        expect((await api(limited, 'GET', '/api/users/me', undefined, user.token)).status).toBe(200);
      } finally {
        await limited.stop();
      }
    });

    it('delays an account after PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT failures for the attacker only, by username or email', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNIN_MAX_PER_IP: '100',
        PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT: '2',
        PYCHAT_TRUST_PROXY: 'loopback',
      });
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const owner = from('198.51.100.1');
      const attacker = from('203.0.113.5');
      try {
        const victimName = uniqueName('victim');
        const victimEmail = `${victimName}@example.org`;
        const signed = await postJson(
          limited,
          '/api/auth/sign-up',
          { username: victimName, password: PASSWORD, email: victimEmail },
          owner,
        );
        expect(signed.status).toBe(201);
        const bystander = await signUp(limited);
        const signIn = (login: string, password: string, headers: Record<string, string>) =>
          postJson(limited, '/api/auth/sign-in', { login, password }, headers);

        // The attacker fails 50 times, under the username, its capitals and the email: only 2 are checked.
        const statuses: number[] = [];
        for (let i = 0; i < 50; i++) {
          const login = [victimName, victimName.toUpperCase(), victimEmail][i % 3] as string;
          statuses.push((await signIn(login, `guess-${i}`, attacker)).status);
        }
        expect(statuses.filter((s) => s === 401)).toHaveLength(2);
        expect(statuses.filter((s) => s === 429)).toHaveLength(48);
        // Refused without looking at the password: the right one gets a retry-after, not a session.
        const refused = await signIn(victimName, PASSWORD, attacker);
        expect(refused).toMatchObject({
          status: 429,
          body: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
        });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(sessionCookie(refused.cookies)).toBeUndefined();

        // The owner gets in from the device that signed up, and from an address that never failed.
        expect((await signIn(victimName, PASSWORD, owner)).status).toBe(200);
        expect((await signIn(victimEmail, PASSWORD, from('192.0.2.44'))).status).toBe(200);
        expect((await signIn(bystander.user.username, PASSWORD, attacker)).status).toBe(200);
      } finally {
        await limited.stop();
      }
    });

    it('counts failures by email against the same account as by username', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNIN_MAX_PER_IP: '100',
        PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT: '2',
        PYCHAT_TRUST_PROXY: 'loopback',
      });
      const attacker = { 'x-forwarded-for': '203.0.113.6' };
      try {
        const name = uniqueName('dual');
        const email = `${name}@example.org`;
        expect(
          (await postJson(limited, '/api/auth/sign-up', { username: name, password: PASSWORD, email })).status,
        ).toBe(201);
        const signIn = (login: string, password: string) =>
          postJson(limited, '/api/auth/sign-in', { login, password }, attacker);
        expect((await signIn(name, 'wrong-pw')).status).toBe(401);
        expect((await signIn(email, 'wrong-pw')).status).toBe(401);
        // Two names of one account must not double the guessing budget.
        expect(await signIn(name, PASSWORD)).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      } finally {
        await limited.stop();
      }
    });
  });

  describe('client address behind a proxy', () => {
    it('keeps the per-IP limit behind a trusted loopback proxy when the client rotates X-Forwarded-For', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNIN_MAX_PER_IP: '30',
        PYCHAT_TRUST_PROXY: 'loopback',
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) {
          // What nginx forwards: the client's own header, then the address nginx saw ($proxy_add_x_forwarded_for).
          const headers = { 'x-forwarded-for': `10.${i}.0.1, 198.51.100.7` };
          statuses.push(
            (await postJson(limited, '/api/auth/sign-in', { login: `nobody${i}`, password: 'x' }, headers)).status,
          );
        }
        expect(statuses.filter((s) => s === 401)).toHaveLength(30);
        expect(statuses.slice(30)).toEqual(Array(10).fill(429));
        // Another client behind the same proxy has its own budget.
        const other = await postJson(
          limited,
          '/api/auth/sign-in',
          { login: 'nobody-else', password: 'x' },
          { 'x-forwarded-for': '198.51.100.8' },
        );
        expect(other.status).toBe(401);
      } finally {
        await limited.stop();
      }
    });

    it('takes the right-most untrusted address with a trusted hop count, never the client-written left-most', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNIN_MAX_PER_IP: '2',
        PYCHAT_TRUST_PROXY: '1',
      });
      const attempt = (xff: string) =>
        postJson(limited, '/api/auth/sign-in', { login: 'nobody', password: 'x' }, { 'x-forwarded-for': xff });
      try {
        expect((await attempt('203.0.113.1, 198.51.100.9')).status).toBe(401);
        expect((await attempt('203.0.113.2, 198.51.100.9')).status).toBe(401);
        expect((await attempt('203.0.113.3, 198.51.100.9')).status).toBe(429);
        expect((await attempt('203.0.113.3, 198.51.100.10')).status).toBe(401);
      } finally {
        await limited.stop();
      }
    });

    it('answers sign-ups past PYCHAT_SIGNUP_MAX_PER_IP with 429, Retry-After and retryAfterMs', async () => {
      const limited = await startServer(medium.backend, {
        PYCHAT_SIGNUP_MAX_PER_IP: '2',
        PYCHAT_TRUST_PROXY: 'loopback',
      });
      const signUpFrom = (ip: string) =>
        postJson(
          limited,
          '/api/auth/sign-up',
          { username: uniqueName('b'), password: PASSWORD },
          { 'x-forwarded-for': ip },
        );
      try {
        expect((await signUpFrom('198.51.100.3')).status).toBe(201);
        expect((await signUpFrom('198.51.100.3')).status).toBe(201);
        const refused = await signUpFrom('198.51.100.3');
        expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
        const retryAfterMs = (refused.body as { retryAfterMs: number }).retryAfterMs;
        expect(retryAfterMs).toBeGreaterThan(59 * 60_000);
        expect(retryAfterMs).toBeLessThanOrEqual(60 * 60_000);
        expect(Number(refused.headers.get('retry-after'))).toBe(Math.ceil(retryAfterMs / 1000));
        expect((await signUpFrom('198.51.100.4')).status).toBe(201);
      } finally {
        await limited.stop();
      }
    });
  });
});
