import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, redactUrl, type Config } from '../config/config';
import { createDataSource } from '../db/data-source';
import { verifySmtp } from '../mail/mailer';
import { ensureSelfSigned, inspectTls, loadTls, SELF_SIGNED_FILE, splitPem, TlsError } from '../tls';
import { cliConfig } from './context';
import { localUrl, probe } from './healthcheck';

type Level = 'ok' | 'info' | 'warn' | 'FAIL';

export class Report {
  failures = 0;
  warnings = 0;
  line(level: Level, what: string, text: string): void {
    if (level === 'FAIL') {
      this.failures++;
    } else if (level === 'warn') {
      this.warnings++;
    }
    console.log(`${level.padEnd(5)} ${what}: ${text}`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

function checkNode(r: Report): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || major === 22 || (major === 20 && minor >= 19)) {
    r.line('ok', 'node', process.version);
  } else {
    r.line('FAIL', 'node', `${process.version} is too old: Pychat needs Node 20.19 or newer`);
  }
}

function checkDirs(r: Report, config: Config): void {
  if (existsSync(config.dataDir)) {
    r.line(
      writable(config.dataDir) ? 'ok' : 'FAIL',
      'data dir',
      writable(config.dataDir)
        ? config.dataDir
        : `${config.dataDir} is not writable by this user (uid ${process.getuid?.()}); Pychat stores its database, uploads and certificate there`,
    );
  } else {
    const parent = dirname(config.dataDir);
    r.line(
      writable(parent) ? 'info' : 'warn',
      'data dir',
      writable(parent)
        ? `${config.dataDir} does not exist yet; the first start creates it`
        : `${config.dataDir} does not exist and this user cannot create it in ${parent}: create it for the user ` +
            'Pychat runs as (systemd StateDirectory= does)',
    );
  }
  for (const path of [
    config.dataDir,
    ...(config.db.type === 'sqlite' && config.db.path !== ':memory:' ? [config.db.path] : []),
  ]) {
    const mode = modeOf(path);
    if (mode !== null && (mode & 0o077) !== 0) {
      r.line(
        'warn',
        'file modes',
        `${path} is 0${mode.toString(8)}: other users of this machine can read it (the database, backups, keys); ` +
          `chmod go-rwx ${path} (Pychat does so at start when it owns it)`,
      );
    }
  }
  if (config.staticDir && existsSync(join(config.staticDir, 'index.html'))) {
    r.line('ok', 'web app', config.staticDir);
  } else {
    r.line(
      'warn',
      'web app',
      `no index.html in ${config.staticDir}: only the API is served (build it: pnpm -r run build)`,
    );
  }
}

async function checkDb(r: Report, config: Config): Promise<void> {
  const label = config.db.type === 'sqlite' ? `sqlite ${config.db.path}` : redactUrl(config.db.url);
  if (config.db.type === 'sqlite' && config.db.path !== ':memory:' && !existsSync(config.db.path)) {
    r.line('info', 'database', `${label} does not exist yet; the first start creates it`);
    return;
  }
  const ds = createDataSource(config.db);
  try {
    const started = Date.now();
    await withTimeout(ds.initialize(), 8000, 'the database');
    await ds.query('SELECT 1');
    const ms = Date.now() - started;
    const pending = await ds.showMigrations();
    const users = await ds
      .query('SELECT COUNT(*) AS n FROM users')
      .then((rows: { n: number | string }[]) => `${Number(rows[0]?.n ?? 0)} users`)
      .catch(() => 'no tables yet');
    r.line('ok', 'database', `${label} answers (${ms} ms, ${users})`);
    r.line(
      pending ? 'warn' : 'ok',
      'migrations',
      pending ? 'pending: they run at the next start, or now with `pychat migrate`' : 'up to date',
    );
    if (config.mail) {
      await reportMailFailures(r, ds);
    }
  } catch (error) {
    const message = (error as Error).message;
    const hint = /ECONNREFUSED/.test(message)
      ? 'nothing listens there: is MariaDB running, and are host and port right?'
      : /Access denied/.test(message)
        ? 'wrong user or password, or the user lacks rights on this database'
        : /Unknown database/.test(message)
          ? 'the database does not exist: CREATE DATABASE … CHARACTER SET utf8mb4'
          : /SQLITE_CANTOPEN|EACCES|readonly/i.test(message)
            ? 'the file or its directory is not writable by this user'
            : '';
    r.line('FAIL', 'database', `${label}: ${message}${hint ? ` (${hint})` : ''}`);
  } finally {
    if (ds.isInitialized) {
      await ds.destroy();
    }
  }
}

const DAY_MS = 86_400_000;

/** Mails the SMTP server refused in the last day, as every instance recorded them (mail/mailer.ts). */
export async function reportMailFailures(
  r: Report,
  ds: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
): Promise<void> {
  const rows = (await ds
    .query('SELECT created_at AS at, kind, error FROM mail_failures WHERE created_at > ? ORDER BY id DESC', [
      Date.now() - DAY_MS,
    ])
    .catch(() => null)) as { at: number | string; kind: string; error: string }[] | null;
  if (rows === null) {
    return; // no table yet: the migrations line says so
  }
  const last = rows[0];
  if (!last) {
    r.line('ok', 'mail log', 'no failed mail in the last 24 hours');
    return;
  }
  r.line(
    'warn',
    'mail log',
    `${rows.length} mail(s) not sent in the last 24 hours; the latest (${last.kind}, ` +
      `${new Date(Number(last.at)).toISOString()}): ${last.error}`,
  );
}

async function checkMail(r: Report, config: Config): Promise<void> {
  if (!config.mail) {
    r.line('info', 'mail', 'off (PYCHAT_SMTP_URL unset): no email verification or password reset by mail');
    return;
  }
  const label = redactUrl(config.mail.smtpUrl);
  try {
    await withTimeout(verifySmtp(config.mail.smtpUrl), 10_000, 'the SMTP server');
    r.line('ok', 'mail', `${label} accepts the connection; links point to ${config.publicUrl ?? '?'}`);
  } catch (error) {
    r.line('FAIL', 'mail', `${label}: ${(error as Error).message}`);
  }
}

async function checkRedis(r: Report, config: Config): Promise<void> {
  if (!config.redis) {
    r.line('ok', 'bus', 'in-process (one instance; set PYCHAT_REDIS_URL to run several)');
    if (config.db.type !== 'sqlite') {
      r.line('info', 'bus', 'MariaDB without Redis works for one instance only');
    }
    return;
  }
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 4000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    const started = Date.now();
    await withTimeout(redis.connect(), 5000, 'Redis');
    await redis.ping();
    const instances = await redis.zrangebyscore(`${config.redis.prefix}instances`, Date.now() - 20_000, '+inf');
    r.line(
      'ok',
      'redis',
      `${redactUrl(config.redis.url)} answers (${Date.now() - started} ms); ${instances.length} live instance(s) under "${config.redis.prefix}"`,
    );
  } catch (error) {
    r.line(
      'FAIL',
      'redis',
      `${redactUrl(config.redis.url)}: ${(error as Error).message} (is redis-server running and reachable?)`,
    );
  } finally {
    redis.disconnect();
  }
}

function checkTls(r: Report, config: Config): void {
  const behindProxy = config.trustProxy;
  if (config.tls === null) {
    if (behindProxy) {
      r.line(
        'ok',
        'https',
        `plain HTTP behind a reverse proxy (PYCHAT_TRUST_PROXY=${String(config.trustProxy)}); the proxy serves TLS`,
      );
      if (!config.auth.cookieSecure) {
        r.line('warn', 'cookies', 'set PYCHAT_COOKIE_SECURE=true when the proxy serves HTTPS');
      }
    } else if (/^(127\.|::1$|localhost$)/.test(config.host)) {
      r.line('ok', 'https', `plain HTTP on ${config.host} (development; browsers treat localhost as secure)`);
    } else {
      r.line(
        'warn',
        'https',
        `plain HTTP on ${config.host}: browsers refuse calls and screen sharing outside localhost without HTTPS; ` +
          'set PYCHAT_TLS=auto (self-signed), PYCHAT_TLS_CERT/KEY, or put nginx with TLS in front',
      );
    }
    return;
  }
  let info;
  try {
    if (config.tls.source === 'files') {
      info = inspectTls(
        readFileSync(config.tls.cert, 'utf8'),
        readFileSync(config.tls.key, 'utf8'),
        `PYCHAT_TLS_CERT ${config.tls.cert}`,
      );
    } else {
      const file = join(config.tls.dir, SELF_SIGNED_FILE);
      if (!existsSync(file)) {
        r.line('info', 'certificate', `self-signed; made at the first start in ${file}`);
        return;
      }
      const { cert, key } = splitPem(readFileSync(file, 'utf8'));
      info = inspectTls(cert, key, file);
    }
  } catch (error) {
    const reason = error instanceof TlsError ? error.message : `cannot read it: ${(error as Error).message}`;
    r.line('FAIL', 'certificate', reason);
    return;
  }
  const days = Math.floor((info.validTo.getTime() - Date.now()) / 86_400_000);
  const kind = config.tls.source === 'files' ? config.tls.cert : 'self-signed (browsers warn once per device)';
  if (days < 0) {
    r.line('FAIL', 'certificate', `${kind} expired on ${info.validTo.toISOString().slice(0, 10)}`);
  } else {
    r.line(
      days < 14 ? 'warn' : 'ok',
      'certificate',
      `${kind}, ${info.subject}, valid ${days} more days, SHA-256 ${info.fingerprint256}`,
    );
  }
}

/** Free, taken by a running Pychat (fine), taken by something else, or not allowed for this user. */
async function checkPort(r: Report, config: Config, port: number, what: string, tls: boolean): Promise<void> {
  const outcome = await new Promise<string | null>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(port, config.host, () => server.close(() => resolve(null)));
  });
  if (outcome === null) {
    r.line('ok', what, `${config.host}:${port} is free`);
    return;
  }
  if (outcome === 'EADDRINUSE') {
    const url = localUrl({ ...config, port, tls: tls ? config.tls : null }, '/api/health/live');
    const status = await probe(url, 2000).catch(() => 0);
    if (status !== 0) {
      r.line('ok', what, `${config.host}:${port} is served by a running Pychat (${url})`);
    } else {
      r.line('FAIL', what, `${config.host}:${port} is used by another program (find it: ss -ltnp 'sport = :${port}')`);
    }
    return;
  }
  if (outcome === 'EACCES') {
    r.line(
      'FAIL',
      what,
      `port ${port} is below 1024 and this user may not open it: run as root, grant CAP_NET_BIND_SERVICE, ` +
        'or use a port above 1023 (containers: Docker allows it; podman needs --sysctl net.ipv4.ip_unprivileged_port_start=0)',
    );
    return;
  }
  if (outcome === 'EADDRNOTAVAIL') {
    r.line('FAIL', what, `PYCHAT_HOST=${config.host} is not an address of this machine`);
    return;
  }
  r.line('FAIL', what, `cannot listen on ${config.host}:${port}: ${outcome}`);
}

/** `pychat doctor`: every check, one line each; exit 1 when anything FAILs. */
export async function doctor(): Promise<number> {
  const r = new Report();
  checkNode(r);
  let config: Config;
  try {
    config = loadConfig();
    r.line('ok', 'config', 'every PYCHAT_* variable is valid');
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) {
        r.line('FAIL', 'config', problem);
      }
      console.log('\nfix the configuration first; the other checks need it');
      return 1;
    }
    throw error;
  }
  checkDirs(r, config);
  await checkDb(r, config);
  await checkRedis(r, config);
  await checkMail(r, config);
  checkTls(r, config);
  await checkPort(r, config, config.port, 'port', true);
  if (config.tls && config.httpRedirectPort !== null) {
    await checkPort(r, config, config.httpRedirectPort, 'redirect port', false);
  }
  r.line(
    'info',
    'metrics',
    config.metricsToken
      ? 'GET /metrics with Authorization: Bearer <PYCHAT_METRICS_TOKEN>'
      : 'GET /metrics from this machine only (no PYCHAT_METRICS_TOKEN)',
  );
  console.log(
    r.failures > 0
      ? `\n${r.failures} problem(s) to fix${r.warnings ? `, ${r.warnings} warning(s)` : ''}`
      : `\nno problems${r.warnings ? `, ${r.warnings} warning(s)` : ''}`,
  );
  return r.failures > 0 ? 1 : 0;
}

/**
 * `pychat cert [--out FILE]`: makes the self-signed certificate now, or checks the given one; with --out,
 * writes the key and certificate in force as one PEM file (compose: nginx reads it from the shared volume).
 */
export async function cert(out?: string): Promise<number> {
  const config = cliConfig();
  if (config.tls === null) {
    console.log('PYCHAT_TLS=off and no PYCHAT_TLS_CERT/KEY: Pychat serves plain HTTP; nothing to do');
    return 0;
  }
  const info = config.tls.source === 'self-signed' ? await ensureSelfSigned(config.tls.dir) : await loadTls(config.tls);
  if (!info) {
    return 0;
  }
  console.log(
    `${info.source} certificate ${info.path}: ${info.subject}, valid until ${info.validTo.toISOString().slice(0, 10)}, SHA-256 ${info.fingerprint256}`,
  );
  if (out) {
    const target = resolve(out);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, `${info.key.trim()}\n${info.cert.trim()}\n`, { mode: 0o600 });
    renameSync(tmp, target);
    console.log(`key and certificate written to ${target}`);
  }
  return 0;
}
