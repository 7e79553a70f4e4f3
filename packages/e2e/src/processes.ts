import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { exited, freePort, isRunning, tempDir, waitUntil } from '@pychat/testkit';

// The private Redis and the polling helpers are the kit's (the bench starts its Redis the same way).
export { isRunning, sleep, startRedis, waitUntil, type RedisServer } from '@pychat/testkit';

/**
 * Servers the resilience specs start, kill and restart themselves: a private Redis (the kit's) and a
 * private MariaDB on free loopback ports. The shared test servers (TEST_MYSQL_URL, TEST_REDIS_URL) are never
 * touched.
 */

const run = promisify(execFile);
const REPO = resolve(__dirname, '../../..');

export interface MariaDbServer {
  port: number;
  /** `mysql://pychat:pychat@127.0.0.1:<port>` (no database). */
  url: string;
  /** SIGKILL the server process, as a crash or a lost host would. */
  kill(): Promise<void>;
  /** Starts mariadbd again on the same port and data directory (InnoDB recovers what was committed). */
  restart(): Promise<void>;
  /** `scripts/services.sh stop`: stops it and deletes its state directory. */
  stop(): Promise<void>;
}

/**
 * A private MariaDB from `scripts/services.sh start` (STATE in a temp dir, free ports; it also starts a
 * Redis there, unused). `restart` runs mariadbd with the same arguments as services.sh, minus the
 * install step, so the data survives.
 */
export async function startMariaDb(): Promise<MariaDbServer> {
  const state = tempDir('mariadb');
  const [dbPort, redisPort] = [await freePort(), await freePort()];
  const env = { ...process.env, STATE: state, DB_PORT: String(dbPort), REDIS_PORT: String(redisPort) };
  await run('bash', ['scripts/services.sh', 'start'], { cwd: REPO, env, timeout: 60_000 });
  const pidFile = join(state, 'mysqld.pid');
  const socket = join(state, 'mysqld.sock');
  const pid = () => Number(readFileSync(pidFile, 'utf8').trim());
  const processGone = async (p: number) => {
    try {
      process.kill(p, 0);
      return false;
    } catch {
      return true;
    }
  };
  let restarted: ChildProcess | null = null;
  return {
    port: dbPort,
    url: `mysql://pychat:pychat@127.0.0.1:${dbPort}`,
    kill: async () => {
      const p = pid();
      process.kill(p, 'SIGKILL');
      await waitUntil('mariadbd to exit', () => processGone(p), 10_000, 50);
    },
    restart: async () => {
      // Same arguments as scripts/services.sh.
      restarted = spawn(
        'mariadbd',
        [
          '--no-defaults',
          '--user=root',
          `--datadir=${join(state, 'mysql')}`,
          `--socket=${socket}`,
          `--port=${dbPort}`,
          '--bind-address=127.0.0.1',
          `--pid-file=${pidFile}`,
          `--log-error=${join(state, 'mysqld.err')}`,
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_unicode_ci',
          '--skip-log-bin',
          '--innodb-buffer-pool-size=128M',
          '--innodb-flush-log-at-trx-commit=2',
          '--max-connections=500',
        ],
        { stdio: 'ignore' },
      );
      const proc = restarted;
      await waitUntil(
        `mariadbd on ${dbPort}`,
        async () => {
          if (!isRunning(proc)) {
            throw new Error(`mariadbd exited with ${proc.exitCode ?? proc.signalCode}`);
          }
          await run('mariadb-admin', [`--socket=${socket}`, 'ping'], { timeout: 2_000 });
          return true;
        },
        30_000,
      );
    },
    stop: async () => {
      await run('bash', ['scripts/services.sh', 'stop'], { cwd: REPO, env, timeout: 30_000 }).catch(() => undefined);
      const proc = restarted;
      if (proc && isRunning(proc)) {
        proc.kill('SIGKILL');
        await exited(proc);
      }
    },
  };
}

export interface DbProxy {
  port: number;
  /**
   * From now on, the first connection that commits a message (an autocommitted INSERT, or the COMMIT after
   * an INSERT in a transaction) has it forwarded but every answer from the database dropped: the row is
   * committed, the instance never learns it. Resolves at that moment (kill the instance then, and the
   * message was never fanned out).
   */
  holdNextMessageCommit(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of a MariaDB port, to put an instance's database answers on hold. */
export async function startDbProxy(targetPort: number): Promise<DbProxy> {
  const sockets = new Set<Socket>();
  let armed: (() => void) | null = null;
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let sawInsert = false;
    let inTransaction = false;
    let held = false;
    const fire = () => {
      held = true;
      const done = armed;
      armed = null;
      done?.();
    };
    client.on('data', (chunk: Buffer) => {
      // One COM_QUERY packet: 3 bytes length, 1 byte sequence, 0x03, the SQL text.
      const sql = chunk[4] === 0x03 ? chunk.subarray(5).toString('latin1') : '';
      if (/^(START TRANSACTION|BEGIN)/i.test(sql)) {
        inTransaction = true;
      }
      upstream.write(chunk);
      if (armed && /^INSERT INTO `?messages`? /i.test(sql)) {
        // A plain send is one autocommitted INSERT: committed as soon as it ran. Inside a transaction
        // (threads, mentions) the commit is the COMMIT that follows.
        if (inTransaction) {
          sawInsert = true;
        } else {
          fire();
        }
      }
      if (armed && sawInsert && sql === 'COMMIT') {
        fire();
      }
      if (/^(COMMIT|ROLLBACK)/i.test(sql)) {
        inTransaction = false;
        sawInsert = false;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!held) {
        client.write(chunk);
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    port: (server.address() as AddressInfo).port,
    holdNextMessageCommit: () =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => {
          armed = null;
          fail(new Error('no message was committed through the proxy within 20 s'));
        }, 20_000);
        armed = () => {
          clearTimeout(timer);
          ok();
        };
      }),
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
