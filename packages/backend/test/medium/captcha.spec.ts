import type { AuthResponse, ErrorBody, SessionResponse } from '@pychat/protocol';
import {
  RECAPTCHA_PASS,
  startMailCatcher,
  startRecaptchaStandIn,
  type MailCatcher,
  type RecaptchaStandIn,
} from '@pychat/testkit';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createBackend,
  dialect,
  signUp,
  startServer,
  TEST_PASSWORD,
  uniqueName,
  type SharedBackend,
  type TestServer,
} from './harness';

/** What the ALTCHA widget does: fetch a challenge, find the counter, send both back as base64 JSON. */
async function solveAltcha(server: TestServer): Promise<string> {
  const res = await api<Challenge>(server, 'GET', '/api/auth/captcha/altcha');
  expect(res.status).toBe(200);
  const solution = await solveChallenge({ challenge: res.body, deriveKey });
  if (!solution) {
    throw new Error('ALTCHA challenge not solved');
  }
  return Buffer.from(JSON.stringify({ challenge: res.body, solution })).toString('base64');
}

function signUpBody(captcha?: string) {
  return { username: uniqueName('cap'), password: TEST_PASSWORD, ...(captcha === undefined ? {} : { captcha }) };
}

function useServer(env: () => Record<string, string>) {
  const ctx = {} as { backend: SharedBackend; server: TestServer };
  beforeAll(async () => {
    ctx.backend = await createBackend();
    ctx.server = await startServer(ctx.backend, env());
  });
  afterAll(async () => {
    await ctx.server.stop();
    await ctx.backend.drop();
  });
  return ctx;
}

describe(`ALTCHA (${dialect})`, () => {
  let mail: MailCatcher;
  beforeAll(async () => {
    mail = await startMailCatcher();
  });
  afterAll(() => mail.close());
  const t = useServer(() => ({
    PYCHAT_CAPTCHA: 'altcha',
    PYCHAT_ALTCHA_MAX_NUMBER: '2000',
    PYCHAT_SMTP_URL: mail.url,
    PYCHAT_PUBLIC_URL: 'http://chat.example.test',
  }));

  it('tells the forms to show ALTCHA and refuses a sign-up without it, with a wrong one and with a used one', async () => {
    const session = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(session.body.features.captcha).toEqual({ kind: 'altcha' });

    const none = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-up', signUpBody());
    expect([none.status, none.body.code]).toEqual([400, 'CAPTCHA_REQUIRED']);
    const solved = await solveAltcha(t.server);
    const forged = JSON.parse(Buffer.from(solved, 'base64').toString()) as { solution: { derivedKey: string } };
    forged.solution.derivedKey = forged.solution.derivedKey.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const wrong = await api<ErrorBody>(
      t.server,
      'POST',
      '/api/auth/sign-up',
      signUpBody(Buffer.from(JSON.stringify(forged)).toString('base64')),
    );
    expect([wrong.status, wrong.body.code]).toEqual([400, 'CAPTCHA_FAILED']);

    const ok = await api<AuthResponse>(t.server, 'POST', '/api/auth/sign-up', signUpBody(solved));
    expect(ok.status).toBe(201);
    // One solution buys one request.
    const replay = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-up', signUpBody(solved));
    expect(replay.body.code).toBe('CAPTCHA_FAILED');
  });

  it('asks for it on sign-in after three failures of a login from one address, and lets a solved one in', async () => {
    const user = await api<AuthResponse>(
      t.server,
      'POST',
      '/api/auth/sign-up',
      signUpBody(await solveAltcha(t.server)),
    );
    const login = user.body.user.username;
    for (let i = 0; i < 3; i++) {
      const failed = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-in', { login, password: 'wrong-pass' });
      expect(failed.body.code).toBe('INVALID_CREDENTIALS');
    }

    const rightButNoCaptcha = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-in', {
      login,
      password: TEST_PASSWORD,
    });
    expect([rightButNoCaptcha.status, rightButNoCaptcha.body.code]).toEqual([400, 'CAPTCHA_REQUIRED']);
    const withCaptcha = await api(t.server, 'POST', '/api/auth/sign-in', {
      login,
      password: TEST_PASSWORD,
      captcha: await solveAltcha(t.server),
    });
    expect(withCaptcha.status).toBe(200);
    // Success forgets the failures.
    expect((await api(t.server, 'POST', '/api/auth/sign-in', { login, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('asks for it on "forgot password"', async () => {
    const none = await api<ErrorBody>(t.server, 'POST', '/api/account/password-reset', { login: 'someone' });
    expect(none.body.code).toBe('CAPTCHA_REQUIRED');
    const ok = await api(t.server, 'POST', '/api/account/password-reset', {
      login: 'someone',
      captcha: await solveAltcha(t.server),
    });
    expect(ok.status).toBe(202);
  });
});

describe(`reCAPTCHA against a local stand-in (${dialect})`, () => {
  let google: RecaptchaStandIn;
  beforeAll(async () => {
    google = await startRecaptchaStandIn();
  });
  afterAll(() => google.close());
  const t = useServer(() => ({
    PYCHAT_CAPTCHA: 'recaptcha',
    PYCHAT_RECAPTCHA_SITE_KEY: 'site-key-1',
    PYCHAT_RECAPTCHA_SECRET: google.secret,
    PYCHAT_RECAPTCHA_VERIFY_URL: google.verifyUrl,
  }));

  it('gives the site key to the forms and signs up only with a response the verification URL accepts', async () => {
    const session = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(session.body.features.captcha).toEqual({ kind: 'recaptcha', siteKey: 'site-key-1' });
    // The page may load Google's widget script and frame, and nothing else of Google's.
    const csp = (await fetch(`${t.server.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/;");
    expect(csp).toContain('frame-src https://www.youtube-nocookie.com https://www.google.com/recaptcha/;');

    const refused = await api<ErrorBody>(t.server, 'POST', '/api/auth/sign-up', signUpBody('not-solved'));
    expect([refused.status, refused.body.code]).toEqual([400, 'CAPTCHA_FAILED']);
    const ok = await api(t.server, 'POST', '/api/auth/sign-up', signUpBody(RECAPTCHA_PASS));
    expect(ok.status).toBe(201);
    expect(google.requests.at(-1)).toEqual({ secret: google.secret, response: RECAPTCHA_PASS, remoteip: '127.0.0.1' });
  });
});

describe(`without a captcha (${dialect})`, () => {
  const t = useServer(() => ({}));

  it('says so, and signs up and in without one', async () => {
    const session = await api<SessionResponse>(t.server, 'GET', '/api/auth/session');
    expect(session.body.features.captcha).toBeNull();
    const auth = await signUp(t.server);
    for (let i = 0; i < 4; i++) {
      await api(t.server, 'POST', '/api/auth/sign-in', { login: auth.user.username, password: 'wrong-pass' });
    }
    const res = await api(t.server, 'POST', '/api/auth/sign-in', {
      login: auth.user.username,
      password: TEST_PASSWORD,
    });
    expect(res.status).toBe(200);
    expect((await api(t.server, 'GET', '/api/auth/captcha/altcha')).status).toBe(404);
  });
});
