import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from './config';

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
      },
    });
    expect(config.limits).toEqual({ channelsPerUser: 50, roomsPerUser: 200 });
    expect(config.auth).toEqual({
      signInMaxPerIp: 30,
      signInMaxFailuresPerAccount: 10,
      sessionTtlMs: 30 * 86_400_000,
      cookieSecure: false,
    });
    expect(config.trustProxy).toBe(false);
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
      PYCHAT_TRUST_PROXY: 'true',
      PYCHAT_ALLOWED_ORIGINS: ' https://a.example , ,https://b.example',
      PYCHAT_INSTANCE_ID: 'node-a',
    });

    expect(config.port).toBe(3000);
    expect(config.auth.sessionTtlMs).toBe(2 * 86_400_000);
    expect(config.auth.cookieSecure).toBe(true);
    expect(config.trustProxy).toBe(true);
    expect(config.ws.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.instanceId).toBe('node-a');
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
