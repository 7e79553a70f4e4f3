/**
 * MariaDB and Redis for the bench, on loopback only, on the bench's own ports (3327/6400 by default) so
 * the test servers of other work (3307/6380, 3317/6390) are never touched.
 *
 * - MariaDB (+ Redis) come from the repo's `scripts/services.sh` with STATE=<state>/services. A server
 *   already answering there is reused and left running; one we started is stopped at the end unless
 *   --keep-services (services.sh stop deletes its data, and with it the users cached for MariaDB).
 * - For SQLite runs only Redis is needed (the ws+Redis baseline): reused if it answers on the port,
 *   otherwise started as our own child process.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedis as startPrivateRedis } from '@pychat/testkit';
import { track } from './processes';

const run = promisify(execFile);

export interface Services {
  redisUrl: string;
  redisPid: number | null;
  mariadbUrl: string | null;
  mariadbPid: number | null;
  stop(): Promise<void>;
}

async function redisPid(port: number): Promise<number | null> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'info', 'server'], {
      timeout: 5_000,
    });
    const pid = /process_id:(\d+)/.exec(stdout)?.[1];
    return pid ? Number(pid) : null;
  } catch {
    return null;
  }
}

async function mariadbUp(socket: string): Promise<boolean> {
  if (!existsSync(socket)) {
    return false;
  }
  try {
    await run('mariadb-admin', [`--socket=${socket}`, 'ping'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Redis only (SQLite runs): reuse the one on `port` or start a private one (the kit's). */
export async function startRedis(port: number, logDir: string): Promise<Services> {
  const existing = await redisPid(port);
  if (existing) {
    return {
      redisUrl: `redis://127.0.0.1:${port}`,
      redisPid: existing,
      mariadbUrl: null,
      mariadbPid: null,
      stop: async () => {},
    };
  }
  const redis = await startPrivateRedis({ port, logFile: join(logDir, `redis-${port}.log`), onSpawn: track });
  return {
    redisUrl: redis.url,
    redisPid: redis.process?.pid ?? null,
    mariadbUrl: null,
    mariadbPid: null,
    stop: () => redis.stop(),
  };
}

/** MariaDB + Redis through scripts/services.sh. */
export async function startMariadbAndRedis(options: {
  repoRoot: string;
  stateDir: string;
  dbPort: number;
  redisPort: number;
  keep: boolean;
}): Promise<Services> {
  const state = join(options.stateDir, 'services');
  const socket = join(state, 'mysqld.sock');
  const env = { ...process.env, STATE: state, DB_PORT: String(options.dbPort), REDIS_PORT: String(options.redisPort) };
  let started = false;
  if (!(await mariadbUp(socket)) || !(await redisPid(options.redisPort))) {
    console.log(`starting MariaDB :${options.dbPort} and Redis :${options.redisPort} (STATE=${state})`);
    await run('bash', [join(options.repoRoot, 'scripts/services.sh'), 'start'], { env, timeout: 120_000 });
    started = true;
  }
  if (!(await mariadbUp(socket))) {
    throw new Error(`MariaDB did not start; see ${join(state, 'mysqld.err')}`);
  }
  const mariadbPid = Number(readFileSync(join(state, 'mysqld.pid'), 'utf8').trim());
  return {
    redisUrl: `redis://127.0.0.1:${options.redisPort}`,
    redisPid: await redisPid(options.redisPort),
    mariadbUrl: `mariadb://pychat:pychat@127.0.0.1:${options.dbPort}`,
    mariadbPid,
    stop: async () => {
      if (started && !options.keep) {
        await run('bash', [join(options.repoRoot, 'scripts/services.sh'), 'stop'], { env, timeout: 60_000 });
      }
    },
  };
}
