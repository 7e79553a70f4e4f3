import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import webpush from 'web-push';
import { ConfigError, loadConfig, redactUrl } from './config';

/** The problems a bad environment is refused with (fails the test if it is accepted). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe(loadConfig.name, () => {
  it('defaults to the embedded mode: SQLite under the data dir, no Redis, port 8080', () => {
    const config = loadConfig({});

    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.db).toEqual({ type: 'sqlite', path: join(resolve('./data'), 'pychat.sqlite') });
    expect(config.redis).toBeNull();
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('info');
    expect(config.ws).toEqual({
      maxFrameBytes: 64 * 1024,
      idleTimeoutMs: 75_000,
      allowedOrigins: [],
      maxQueuedFrames: 1_000,
      maxBufferedBytes: 8 * 1024 * 1024,
      sessionCheckMs: 5_000,
      rates: {
        send: { perSecond: 10, burst: 30 },
        typing: { perSecond: 1, burst: 5 },
        create: { perSecond: 10 / 60, burst: 20 },
        rtc: { perSecond: 50, burst: 200 },
      },
    });
    expect(config.limits).toEqual({ channelsPerUser: 50, roomsPerUser: 200 });
    expect(config.auth).toEqual({
      signInMaxPerIp: 30,
      signInMaxFailuresPerAccount: 5,
      signUpMaxPerIp: 5,
      registration: 'open',
      captchaAfterFailedSignIns: 3,
      sessionTtlMs: 30 * 86_400_000,
      cookieSecure: false,
    });
    expect(config.trustProxy).toBe(false);
    expect(config.mail).toBeNull();
    expect(config.passwordResetMaxPerIp).toBe(5);
  });

  it('reads only the environment it is given', () => {
    vi.stubEnv('PYCHAT_PORT', '1234');
    try {
      expect(loadConfig({}).port).toBe(8080);
      expect(loadConfig().port).toBe(1234);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps the SQLite file under a custom data dir', () => {
    const config = loadConfig({ PYCHAT_DATA_DIR: '/srv/pychat' });

    expect(config.db).toEqual({ type: 'sqlite', path: '/srv/pychat/pychat.sqlite' });
  });

  it.each([
    ['sqlite:/var/lib/chat.db', '/var/lib/chat.db'],
    ['sqlite:///var/lib/chat.db', '/var/lib/chat.db'],
    ['sqlite:rel/chat.db', resolve('rel/chat.db')],
    ['sqlite::memory:', ':memory:'],
  ])('reads the SQLite path of %s', (url, path) => {
    expect(loadConfig({ PYCHAT_DB_URL: url }).db).toEqual({ type: 'sqlite', path });
  });

  it('reads a MySQL URL as is', () => {
    expect(loadConfig({ PYCHAT_DB_URL: 'mysql://u:p@db:3306/chat' }).db).toEqual({
      type: 'mysql',
      flavor: 'mysql',
      url: 'mysql://u:p@db:3306/chat',
    });
  });

  it('reads a MariaDB URL as a MySQL connection with the MariaDB flavor', () => {
    expect(loadConfig({ PYCHAT_DB_URL: 'mariadb://u:p@db:3306/chat' }).db).toEqual({
      type: 'mysql',
      flavor: 'mariadb',
      url: 'mysql://u:p@db:3306/chat',
    });
  });

  it('turns on the Redis bus with its prefix when a Redis URL is set', () => {
    expect(loadConfig({ PYCHAT_REDIS_URL: 'redis://cache:6379' }).redis).toEqual({
      url: 'redis://cache:6379',
      prefix: 'pychat:',
    });
    expect(loadConfig({ PYCHAT_REDIS_URL: 'rediss://cache:6380', PYCHAT_REDIS_PREFIX: 'a:' }).redis).toEqual({
      url: 'rediss://cache:6380',
      prefix: 'a:',
    });
  });

  it('reads numbers, booleans and the origin list', () => {
    const config = loadConfig({
      PYCHAT_PORT: '3000',
      PYCHAT_SESSION_TTL_DAYS: '2',
      PYCHAT_COOKIE_SECURE: '1',
      PYCHAT_TRUST_PROXY: 'loopback',
      PYCHAT_ALLOWED_ORIGINS: ' https://a.example , ,https://b.example',
      PYCHAT_INSTANCE_ID: 'node-a',
    });

    expect(config.port).toBe(3000);
    expect(config.auth.sessionTtlMs).toBe(2 * 86_400_000);
    expect(config.auth.cookieSecure).toBe(true);
    expect(config.trustProxy).toEqual(['loopback']);
    expect(config.ws.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.instanceId).toBe('node-a');
  });

  it.each([
    ['false', false],
    ['0', false],
    ['loopback', ['loopback']],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']],
  ])('reads PYCHAT_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ PYCHAT_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('refuses PYCHAT_TRUST_PROXY=true, which let clients pick their address, and names the choices', () => {
    expect(() => loadConfig({ PYCHAT_TRUST_PROXY: 'true' })).toThrow(/PYCHAT_TRUST_PROXY: .*loopback.*hop count/);
    expect(() => loadConfig({ PYCHAT_TRUST_PROXY: 'not-an-ip' })).toThrow(/PYCHAT_TRUST_PROXY: expected false/);
  });

  it('turns mail on with SMTP and a public URL (links never come from the Host header), and refuses SMTP alone', () => {
    expect(loadConfig({}).mail).toBeNull();
    const config = loadConfig({
      PYCHAT_SMTP_URL: 'smtp://u:p@mail:587',
      PYCHAT_PUBLIC_URL: 'https://chat.example.com/',
    });
    expect(config.mail).toEqual({ smtpUrl: 'smtp://u:p@mail:587', from: 'Pychat <noreply@chat.example.com>' });
    expect(config.publicUrl).toBe('https://chat.example.com');
    expect(problemsOf({ PYCHAT_SMTP_URL: 'smtp://mail:25' })).toEqual([
      expect.stringMatching(/^PYCHAT_PUBLIC_URL: required/),
    ]);
    expect(problemsOf({ PYCHAT_SMTP_URL: 'http://mail' })[0]).toMatch(/^PYCHAT_SMTP_URL: expected smtp/);
  });

  it('turns OpenID Connect on with issuer, client and public URL, https only but on loopback', () => {
    expect(loadConfig({}).oidc).toBeNull();
    const full = {
      PYCHAT_OIDC_ISSUER: 'https://accounts.google.com',
      PYCHAT_OIDC_CLIENT_ID: 'id',
      PYCHAT_OIDC_CLIENT_SECRET: 'secret',
      PYCHAT_PUBLIC_URL: 'https://chat.example.com',
    };
    expect(loadConfig({ ...full, PYCHAT_OIDC_NAME: 'Google' }).oidc).toEqual({
      issuer: 'https://accounts.google.com',
      clientId: 'id',
      clientSecret: 'secret',
      name: 'Google',
      insecure: false,
    });
    expect(problemsOf({ PYCHAT_OIDC_ISSUER: 'https://idp.example.com' })).toEqual([
      expect.stringMatching(/^PYCHAT_PUBLIC_URL: required/),
      expect.stringMatching(/^PYCHAT_OIDC_CLIENT_ID: required/),
      expect.stringMatching(/^PYCHAT_OIDC_CLIENT_SECRET: required/),
    ]);
    expect(problemsOf({ ...full, PYCHAT_OIDC_ISSUER: 'http://idp.example.com' })).toEqual([
      expect.stringMatching(/^PYCHAT_OIDC_ISSUER: must be https/),
    ]);
    expect(loadConfig({ ...full, PYCHAT_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.insecure).toBe(true);
  });

  it('reads the captcha: off by default, ALTCHA alone, reCAPTCHA only with its site key and secret', () => {
    expect(loadConfig({}).captcha).toBeNull();
    expect(loadConfig({ PYCHAT_CAPTCHA: 'altcha' }).captcha).toEqual({
      kind: 'altcha',
      hmacKey: null,
      maxNumber: 100_000,
    });
    expect(
      loadConfig({
        PYCHAT_CAPTCHA: 'recaptcha',
        PYCHAT_RECAPTCHA_SITE_KEY: 'site',
        PYCHAT_RECAPTCHA_SECRET: 'secret',
      }).captcha,
    ).toEqual({
      kind: 'recaptcha',
      siteKey: 'site',
      secret: 'secret',
      verifyUrl: 'https://www.google.com/recaptcha/api/siteverify',
    });
    expect(problemsOf({ PYCHAT_CAPTCHA: 'recaptcha', PYCHAT_RECAPTCHA_SITE_KEY: 'site' })).toEqual([
      'PYCHAT_RECAPTCHA_SITE_KEY and PYCHAT_RECAPTCHA_SECRET: required with PYCHAT_CAPTCHA=recaptcha',
    ]);
    expect(loadConfig({ PYCHAT_REGISTRATION: 'invite' }).auth.registration).toBe('invite');
  });

  it('gives each instance its own id by default', () => {
    expect(loadConfig({}).instanceId).not.toBe(loadConfig({}).instanceId);
  });

  it('refuses a bad Redis URL', () => {
    const [problem, ...rest] = problemsOf({ PYCHAT_REDIS_URL: 'cache:6379' });

    expect(rest).toEqual([]);
    expect(problem).toMatch(/^PYCHAT_REDIS_URL: .*redis:\/\/.*\(got "cache:6379"\)$/);
  });

  it('refuses an unknown database URL', () => {
    expect(problemsOf({ PYCHAT_DB_URL: 'postgres://db/chat' })).toEqual([
      expect.stringMatching(/^PYCHAT_DB_URL: .*\(got "postgres:\/\/db\/chat"\)$/),
    ]);
  });

  it('reports every bad variable at once, one line each, naming the variable and its value', () => {
    const problems = problemsOf({
      PYCHAT_PORT: 'eighty',
      PYCHAT_LOG_LEVEL: 'loud',
      PYCHAT_COOKIE_SECURE: 'yes',
      PYCHAT_REDIS_URL: 'http://cache',
      PYCHAT_DB_URL: 'oracle:x',
      PYCHAT_HOST: '127.0.0.1',
    });

    expect(problems).toHaveLength(5);
    for (const [name, value] of [
      ['PYCHAT_PORT', 'eighty'],
      ['PYCHAT_LOG_LEVEL', 'loud'],
      ['PYCHAT_COOKIE_SECURE', 'yes'],
      ['PYCHAT_REDIS_URL', 'http://cache'],
      ['PYCHAT_DB_URL', 'oracle:x'],
    ]) {
      expect(problems.filter((p) => p.startsWith(`${name}: `))).toEqual([expect.stringContaining(`(got "${value}")`)]);
    }
  });

  it('prints no secret of a refused configuration: URL passwords masked, tokens not shown at all', () => {
    const problems = problemsOf({
      PYCHAT_DB_URL: 'postgres://pychat:db-Secret-1@db:5432/chat',
      PYCHAT_REDIS_URL: 'http://:redis-Secret-2@cache:6379',
      PYCHAT_METRICS_TOKEN: 'short-Secret-3',
    }).join('\n');

    for (const secret of ['db-Secret-1', 'redis-Secret-2', 'short-Secret-3']) {
      expect(problems).not.toContain(secret);
    }
    expect(problems).toContain('(got "postgres://pychat:***@db:5432/chat")');
    expect(problems).toContain('(got "http://:***@cache:6379")');
    expect(problems).toMatch(/^PYCHAT_METRICS_TOKEN: .*\(got a hidden value of 14 characters\)$/m);
  });

  it('takes a VAPID key pair whole and well-formed, and never prints the private key', () => {
    const pair = webpush.generateVAPIDKeys();
    expect(
      loadConfig({ PYCHAT_VAPID_PUBLIC_KEY: pair.publicKey, PYCHAT_VAPID_PRIVATE_KEY: pair.privateKey }).push.vapidKeys,
    ).toEqual(pair);
    expect(problemsOf({ PYCHAT_VAPID_PRIVATE_KEY: pair.privateKey })).toEqual([
      'PYCHAT_VAPID_PUBLIC_KEY and PYCHAT_VAPID_PRIVATE_KEY: set both or neither (got only the private key)',
    ]);
    const short = problemsOf({ PYCHAT_VAPID_PUBLIC_KEY: pair.publicKey, PYCHAT_VAPID_PRIVATE_KEY: 'vapid-Secret-4' });
    expect(short).toEqual(['PYCHAT_VAPID_PRIVATE_KEY: expected 32 bytes in base64url']);
    expect(problemsOf({ PYCHAT_VAPID_SUBJECT: 'ops@example.com' })).toEqual([
      expect.stringMatching(/^PYCHAT_VAPID_SUBJECT: expected mailto:address or https:\/\/url/),
    ]);
  });

  it.each([
    ['mysql://pychat:s3cret@db:3306/chat', 'mysql://pychat:***@db:3306/chat'],
    ['redis://:s3cret@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['redis://s3cret@cache:6379', 'redis://***@cache:6379'],
    ['mysql://u:s3/cr@et@db/chat', 'mysql://u:***@db/chat'],
    ['mysql://db/chat?user=u&password=s3cret&ssl=true', 'mysql://db/chat?user=u&password=***&ssl=true'],
    ['u:s3cret@db:3306', 'u:***@db:3306'],
    ['mariadb://db:3306/chat', 'mariadb://db:3306/chat'],
  ])('masks the password of %s', (url, masked) => {
    expect(redactUrl(url)).toBe(masked);
  });

  it.each([
    ['PYCHAT_PORT', '70000'],
    ['PYCHAT_PORT', '-1.5'],
    ['PYCHAT_SESSION_TTL_DAYS', '0'],
    ['PYCHAT_WS_MAX_FRAME_BYTES', '10'],
  ])('refuses %s=%s with a single line', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${name}: .*\\(got "${value}"\\)$`)),
    ]);
  });
});
