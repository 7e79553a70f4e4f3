import { CLOSE_CODES, type ErrorBody, type ProfileDto, type SessionResponse } from '@pychat/protocol';
import { linkIn, startMailCatcher, type CapturedMail, type MailCatcher } from '@pychat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Report, reportMailFailures } from '../../src/cli/doctor';
import {
  api,
  createBackend,
  dialect,
  startServer,
  TEST_PASSWORD,
  TestClient,
  uniqueName,
  type SharedBackend,
  type TestServer,
} from './harness';

const PUBLIC_URL = 'https://chat.example.test';

interface Account {
  id: number;
  username: string;
  email: string;
  token: string;
}

/** One server with SMTP pointed at an in-process catcher (and the backend it runs on) per describe block. */
function useMailServer(env: Record<string, string> = {}) {
  const ctx = {} as { backend: SharedBackend; server: TestServer; mail: MailCatcher; open: TestClient[] };
  beforeAll(async () => {
    ctx.mail = await startMailCatcher();
    ctx.backend = await createBackend();
    ctx.server = await startServer(ctx.backend, {
      PYCHAT_SMTP_URL: ctx.mail.url,
      PYCHAT_PUBLIC_URL: PUBLIC_URL,
      PYCHAT_MAIL_FROM: 'Pychat Test <chat@example.test>',
      ...env,
    });
    ctx.open = [];
  });
  afterEach(async () => {
    ctx.mail.refuse(false);
    await Promise.all(ctx.open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await ctx.server.stop();
    await ctx.backend.drop();
    await ctx.mail.close();
  });
  return ctx;
}

async function account(server: TestServer): Promise<Account> {
  const username = uniqueName('m');
  const email = `${username}@example.test`;
  const res = await api<{ user: { id: number }; token: string }>(server, 'POST', '/api/auth/sign-up', {
    username,
    email,
    password: TEST_PASSWORD,
  });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, username, email, token: res.body.token };
}

async function signIn(server: TestServer, login: string, password: string) {
  return api<{ token: string }>(server, 'POST', '/api/auth/sign-in', { login, password });
}

/** The path part of a mailed link, against the test server (the link itself points at PYCHAT_PUBLIC_URL). */
function tokenOf(mail: CapturedMail, path: string): string {
  const link = linkIn(mail, path);
  expect(link.startsWith(`${PUBLIC_URL}${path}?token=`)).toBe(true);
  return new URL(link).searchParams.get('token') as string;
}

const to = (address: string, subject: RegExp) => (m: CapturedMail) => m.to.includes(address) && subject.test(m.subject);

/** Every request comes from 127.0.0.1: the limit has its own describe block. */
const NO_RESET_LIMIT = { PYCHAT_PASSWORD_RESET_MAX_PER_IP: '1000000' };

describe(`forgot password (${dialect})`, () => {
  const t = useMailServer(NO_RESET_LIMIT);

  it('mails a single-use link to the account; it sets the password, ends every session and sends a notice', async () => {
    const alice = await account(t.server);
    const phone = await signIn(t.server, alice.username, TEST_PASSWORD);
    const sockets = [
      await TestClient.connect(t.server, alice.token),
      await TestClient.connect(t.server, phone.body.token),
    ];
    t.open.push(...sockets);

    const asked = await api(t.server, 'POST', '/api/account/password-reset', { login: alice.username });
    expect(asked).toEqual({ status: 202, body: {} });
    const mail = await t.mail.waitFor(to(alice.email, /Reset your Pychat password/));
    expect(mail.html).toContain('Choose a new password');
    expect(mail.text).toContain('IP address 127.0.0.1');
    const token = tokenOf(mail, '/reset-password');

    const done = await api(t.server, 'POST', '/api/account/password-reset/confirm', {
      token,
      password: 'brand-new-pw',
    });
    expect(done.status).toBe(204);
    for (const socket of sockets) {
      await expect.poll(() => socket.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    }
    expect((await signIn(t.server, alice.username, TEST_PASSWORD)).status).toBe(401);
    expect((await signIn(t.server, alice.username, 'brand-new-pw')).status).toBe(200);
    const notice = await t.mail.waitFor(to(alice.email, /password was changed/));
    expect(notice.text).toContain('127.0.0.1');

    // Used once: the same link again is refused and changes nothing.
    const again = await api<ErrorBody>(t.server, 'POST', '/api/account/password-reset/confirm', {
      token,
      password: 'third-password',
    });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_TOKEN');
    expect((await signIn(t.server, alice.username, 'brand-new-pw')).status).toBe(200);
  });

  it('answers the same for an email, an unknown name and an unknown email, and mails only real accounts', async () => {
    const bob = await account(t.server);
    const answers = [];
    for (const login of [uniqueName('nobody'), 'nobody@example.test', bob.email.toUpperCase()]) {
      answers.push(await api(t.server, 'POST', '/api/account/password-reset', { login }));
    }
    expect(answers).toEqual(Array(3).fill({ status: 202, body: {} }));
    await t.mail.waitFor(to(bob.email, /Reset/));
    expect(t.mail.mails.filter((m) => m.to.includes('nobody@example.test'))).toEqual([]);
  });

  it('refuses an expired link, an earlier link after a newer one, and a verification link', async () => {
    const carol = await account(t.server);
    const verifyToken = tokenOf(await t.mail.waitFor(to(carol.email, /Confirm your email/)), '/verify-email');
    await api(t.server, 'POST', '/api/account/password-reset', { login: carol.username });
    const first = tokenOf(await t.mail.waitFor(to(carol.email, /Reset/)), '/reset-password');
    const count = t.mail.mails.length;
    await api(t.server, 'POST', '/api/account/password-reset', { login: carol.username });
    const second = tokenOf(
      await t.mail.waitFor((m) => t.mail.mails.indexOf(m) >= count && to(carol.email, /Reset/)(m)),
      '/reset-password',
    );

    for (const token of [first, verifyToken]) {
      const res = await api<ErrorBody>(t.server, 'POST', '/api/account/password-reset/confirm', {
        token,
        password: 'never-set-pw',
      });
      expect(res.body.code).toBe('INVALID_TOKEN');
    }
    await t.server.pychat.dataSource.query('UPDATE account_tokens SET expires_at = 1 WHERE user_id = ?', [carol.id]);
    const expired = await api<ErrorBody>(t.server, 'POST', '/api/account/password-reset/confirm', {
      token: second,
      password: 'never-set-pw',
    });
    expect(expired.body.code).toBe('INVALID_TOKEN');
    expect((await signIn(t.server, carol.username, TEST_PASSWORD)).status).toBe(200);
  });

  it("a link changes only its own account's password", async () => {
    const dave = await account(t.server);
    const erin = await account(t.server);
    await api(t.server, 'POST', '/api/account/password-reset', { login: dave.username });
    const token = tokenOf(await t.mail.waitFor(to(dave.email, /Reset/)), '/reset-password');
    await api(t.server, 'POST', '/api/account/password-reset/confirm', { token, password: 'daves-new-pw' });
    expect((await signIn(t.server, erin.username, 'daves-new-pw')).status).toBe(401);
    expect((await signIn(t.server, erin.username, TEST_PASSWORD)).status).toBe(200);
    expect((await signIn(t.server, dave.username, 'daves-new-pw')).status).toBe(200);
  });
});

describe(`forgot password rate limit (${dialect})`, () => {
  const t = useMailServer({ PYCHAT_PASSWORD_RESET_MAX_PER_IP: '2' });

  it('refuses the third request from one address within the hour, whatever the login', async () => {
    const statuses = [];
    for (const login of ['a-nobody', 'b-nobody', 'c-nobody']) {
      statuses.push(
        (await api<ErrorBody>(t.server, 'POST', '/api/account/password-reset', { login })).body.code ?? 202,
      );
    }
    expect(statuses).toEqual([202, 202, 'RATE_LIMITED']);
  });
});

describe(`change password and email (${dialect})`, () => {
  const t = useMailServer(NO_RESET_LIMIT);

  it('needs the current password; ends my other sessions (their sockets close), keeps this one, mails a notice', async () => {
    const alice = await account(t.server);
    const other = await signIn(t.server, alice.username, TEST_PASSWORD);
    const mine = await TestClient.connect(t.server, alice.token);
    const theirs = await TestClient.connect(t.server, other.body.token);
    t.open.push(mine, theirs);

    const wrong = await api<ErrorBody>(
      t.server,
      'POST',
      '/api/account/password',
      { currentPassword: 'not-my-password', newPassword: 'another-pw-1' },
      alice.token,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('WRONG_PASSWORD');
    expect((await signIn(t.server, alice.username, TEST_PASSWORD)).status).toBe(200);

    const res = await api(
      t.server,
      'POST',
      '/api/account/password',
      { currentPassword: TEST_PASSWORD, newPassword: 'another-pw-1' },
      alice.token,
    );
    expect(res.status).toBe(200);
    await expect.poll(() => theirs.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    await mine.settle();
    expect(mine.closed).toBeNull();
    expect((await signIn(t.server, alice.username, 'another-pw-1')).status).toBe(200);
    const notice = await t.mail.waitFor(to(alice.email, /password was changed/));
    expect(notice.html).toContain('127.0.0.1');
  });

  it('changes the email only once the new address opens its link; the old address is told', async () => {
    const bob = await account(t.server);
    const taken = await account(t.server);
    const newEmail = `${uniqueName('new')}@example.test`;

    const wrong = await api<ErrorBody>(
      t.server,
      'POST',
      '/api/account/email',
      { password: 'nope-nope', email: newEmail },
      bob.token,
    );
    expect(wrong.body.code).toBe('WRONG_PASSWORD');
    const clash = await api<ErrorBody>(
      t.server,
      'POST',
      '/api/account/email',
      { password: TEST_PASSWORD, email: taken.email },
      bob.token,
    );
    expect(clash.body.code).toBe('EMAIL_TAKEN');

    const res = await api(
      t.server,
      'POST',
      '/api/account/email',
      { password: TEST_PASSWORD, email: newEmail },
      bob.token,
    );
    expect(res).toEqual({ status: 200, body: { email: bob.email, pendingEmail: newEmail } });
    const profile = () => api<ProfileDto>(t.server, 'GET', `/api/users/${bob.id}/profile`, undefined, bob.token);
    expect((await profile()).body.email).toBe(bob.email);
    const notice = await t.mail.waitFor(to(bob.email, /being changed/));
    expect(notice.text).toContain(newEmail);
    expect(notice.text).toContain('127.0.0.1');
    const token = tokenOf(await t.mail.waitFor(to(newEmail, /Confirm/)), '/verify-email');

    const verified = await api(t.server, 'POST', '/api/account/verify-email', { token });
    expect(verified).toEqual({ status: 200, body: { email: newEmail } });
    expect((await profile()).body).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await signIn(t.server, newEmail, TEST_PASSWORD)).status).toBe(200);
    const reused = await api<ErrorBody>(t.server, 'POST', '/api/account/verify-email', { token });
    expect(reused.body.code).toBe('INVALID_TOKEN');
  });

  it('verifies the address given at sign-up through the mailed link', async () => {
    const carol = await account(t.server);
    const profile = () => api<ProfileDto>(t.server, 'GET', `/api/users/${carol.id}/profile`, undefined, carol.token);
    expect((await profile()).body.emailVerified).toBe(false);
    const token = tokenOf(await t.mail.waitFor(to(carol.email, /Confirm your email/)), '/verify-email');
    expect((await api(t.server, 'POST', '/api/account/verify-email', { token })).status).toBe(200);
    expect((await profile()).body).toMatchObject({ email: carol.email, emailVerified: true });
  });

  it('records a mail the SMTP server refuses (for pychat doctor) and still answers the request', async () => {
    const dave = await account(t.server);
    await t.mail.waitFor(to(dave.email, /Confirm/));
    t.mail.refuse(true);
    const res = await api(t.server, 'POST', '/api/account/password-reset', { login: dave.username });
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await t.server.pychat.dataSource.query('SELECT kind FROM mail_failures')) as unknown[], {
        timeout: 10_000,
      })
      .toEqual([{ kind: 'reset' }]);
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      await reportMailFailures(new Report(), t.server.pychat.dataSource);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual([expect.stringMatching(/^warn +mail log: 1 mail\(s\) not sent .*\(reset, .*451/)]);
  });

  it('tells clients that mail is on', async () => {
    const res = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(res.body).toEqual({
      user: null,
      admin: false,
      features: { mail: true, registration: 'open', gifs: false, oidc: null, facebook: false, captcha: null },
    });
  });
});

describe(`without SMTP (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;
  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  it('says mail is off, refuses the mail flows, and changes an email at once (unverified) with the password', async () => {
    expect((await api<SessionResponse>(server, 'GET', '/api/auth/session')).body.features.mail).toBe(false);
    const reset = await api<ErrorBody>(server, 'POST', '/api/account/password-reset', { login: 'someone' });
    expect(reset.status).toBe(503);
    expect(reset.body.code).toBe('MAIL_DISABLED');
    const alice = await account(server);
    const email = `${uniqueName('x')}@example.test`;
    const res = await api(server, 'POST', '/api/account/email', { password: TEST_PASSWORD, email }, alice.token);
    expect(res.body).toEqual({ email, pendingEmail: null });
  });
});
