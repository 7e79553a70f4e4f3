import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ALL_ROOM_ID, PROTOCOL_VERSION, type ServerFrame } from '@pychat/protocol';
import { NO_RATE_LIMITS, signUp, TestClient, type ConnectOptions } from '@pychat/testkit';
import { createConnection } from 'mysql2/promise';
import { startPychat, type Pychat } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger, type Logger } from '../../src/logger';
import { PasswordHasher } from '../../src/services/password';
import { TEST_SCRYPT } from '../service';

// The protocol client and the REST helpers live in the kit; re-exported so every spec imports from here.
export { api, RequestError, settleAll, signUp, TEST_PASSWORD, TestClient, uniqueName } from '@pychat/testkit';

/**
 * Medium-test harness: the server in this process. TEST_DB=sqlite (default: in-memory SQLite, memory bus) or
 * TEST_DB=mysql (a fresh MariaDB database per server from TEST_MYSQL_URL, Redis bus from TEST_REDIS_URL with a
 * random prefix).
 */
export const dialect = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';

export interface TestServer {
  pychat: Pychat;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export interface SharedBackend {
  dbUrl: string;
  redisUrl?: string;
  redisPrefix?: string;
  drop(): Promise<void>;
}

/** A fresh database (and Redis prefix): each test file gets its own, so tests never see each other's rows. */
export async function createBackend(): Promise<SharedBackend> {
  if (dialect === 'sqlite') {
    return { dbUrl: 'sqlite::memory:', drop: async () => undefined };
  }
  const base = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
  const name = `t_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection(base);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    // The mariadb:// scheme selects TypeORM's MariaDB driver (the server the tests run).
    dbUrl: `${base.replace(/^mysql:/, 'mariadb:')}/${name}`,
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6380',
    redisPrefix: `t${randomBytes(4).toString('hex')}:`,
    drop: async () => {
      const conn = await createConnection(base);
      await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      await conn.end();
    },
  };
}

/** The defaults of config.ts (config.spec.ts checks they are the defaults); abuse.spec.ts sets them back. */
export const DEFAULT_RATE_LIMITS: Record<string, string> = {
  PYCHAT_WS_SEND_PER_S: '10',
  PYCHAT_WS_SEND_BURST: '30',
  PYCHAT_WS_TYPING_PER_S: '1',
  PYCHAT_WS_TYPING_BURST: '5',
  PYCHAT_WS_CREATE_PER_MIN: '10',
  PYCHAT_WS_CREATE_BURST: '20',
  PYCHAT_WS_RTC_PER_S: '50',
  PYCHAT_WS_RTC_BURST: '200',
};

export async function startServer(
  backend: SharedBackend,
  env: Record<string, string> = {},
  options: { logger?: Logger; passwordHasher?: PasswordHasher; mailRetryDelayMs?: number } = {},
): Promise<TestServer> {
  const config = loadConfig({
    PYCHAT_HOST: '127.0.0.1',
    PYCHAT_PORT: '0',
    PYCHAT_DB_URL: backend.dbUrl,
    PYCHAT_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PYCHAT_DATA_DIR: '/nonexistent-test-data-dir',
    PYCHAT_PRESENCE_BATCH_MS: '20',
    // Every test user signs up from 127.0.0.1.
    PYCHAT_SIGNUP_MAX_PER_IP: '1000000',
    ...NO_RATE_LIMITS,
    ...(backend.redisUrl ? { PYCHAT_REDIS_URL: backend.redisUrl, PYCHAT_REDIS_PREFIX: backend.redisPrefix } : {}),
    ...env,
  });
  const pychat = await startPychat(config, options.logger ?? createLogger(config.logLevel, config.instanceId), {
    passwordHasher: options.passwordHasher ?? new PasswordHasher(TEST_SCRYPT),
    // A refused mail is retried once; tests need not wait the production delay for it.
    mailRetryDelayMs: options.mailRetryDelayMs ?? 50,
  });
  return {
    pychat,
    url: pychat.url,
    wsUrl: `ws://127.0.0.1:${pychat.port}/ws?v=${PROTOCOL_VERSION}`,
    stop: () => pychat.stop(),
  };
}

/** Signs up a user and connects one socket. */
export async function connectedUser(server: TestServer, username?: string) {
  const auth = await signUp(server, username);
  // Protocol v3: presence.changed reaches only sockets that subscribed to the user, so no batch of this
  // connect can land among the frames a test counts later.
  const client = await TestClient.connect(server, auth.token);
  return { ...auth, client };
}

export type ConnectedUser = Awaited<ReturnType<typeof connectedUser>>;

/**
 * One server for the enclosing describe block (`env`: PYCHAT_* overrides for it). Every socket opened through
 * it is closed after each test, also when the test fails, so one test's sockets never leak frames into the next.
 */
export function useTestServer(env: Record<string, string> = {}) {
  let backend: SharedBackend;
  let server: TestServer;
  const open: TestClient[] = [];

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend, env);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  return {
    get server(): TestServer {
      return server;
    },
    /** Its database (and Redis prefix): a second server in a test can share them. */
    get backend(): SharedBackend {
      return backend;
    },
    /** A new user with one connected socket. */
    async user(): Promise<ConnectedUser> {
      const created = await connectedUser(server);
      open.push(created.client);
      return created;
    },
    /**
     * Another socket for a token: a second tab, or a fresh connection to read its session.ready. Null: no
     * `authorization` header, for a session carried by `options.headers` (a cookie).
     */
    async connect(token: string | null, options: ConnectOptions = {}): Promise<TestClient> {
      const client = await TestClient.connect(server, token, options);
      open.push(client);
      return client;
    },
    /**
     * The cast of the device-to-device specs (calls, transfers): Alice and Bob in a direct room, Bob with a
     * second tab (a device of its own), and Eve outside the room.
     */
    async directRoomWithSecondTab() {
      const alice = await this.user();
      const bob = await this.user();
      const eve = await this.user();
      const direct = await alice.client.request('room.createDirect', { userId: bob.user.id });
      const roomId = direct.room.id;
      await bob.client.waitFor('room.added', (d) => d.room.id === roomId);
      const bobTab = await this.connect(bob.token);
      return { alice, bob, bobTab, eve, roomId };
    },
  };
}

/** The cast `directRoomWithSecondTab` of useTestServer sets up. */
export type DirectRoomCast = Awaited<ReturnType<ReturnType<typeof useTestServer>['directRoomWithSecondTab']>>;

/**
 * Two servers on one database and bus for the enclosing describe block: in the MariaDB run two instances on
 * Redis, on SQLite's memory bus the same one twice (the bus cannot reach another process). Sockets passed to
 * `track` are closed after each test.
 */
export function useTwoInstances(env: Record<string, string> = {}) {
  let backend: SharedBackend;
  let first: TestServer;
  let second: TestServer;
  const open: TestClient[] = [];

  beforeAll(async () => {
    backend = await createBackend();
    first = await startServer(backend, env);
    second = dialect === 'mysql' ? await startServer(backend, env) : first;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    if (second !== first) {
      await second.stop();
    }
    await first.stop();
    await backend.drop();
  });

  return {
    get first(): TestServer {
      return first;
    },
    get second(): TestServer {
      return second;
    },
    track(...clients: TestClient[]): void {
      open.push(...clients);
    },
    /** Alice connected to the first instance and Bob to the second, in a direct room both have been told of. */
    async directRoomAcross() {
      const alice = await connectedUser(first);
      const bob = await connectedUser(second);
      open.push(alice.client, bob.client);
      const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
      await bob.client.waitFor('room.added', (d) => d.room.id === room.id);
      return { alice, bob, roomId: room.id };
    },
  };
}

/**
 * Every row a chat action could touch, plus the row counts of `counted`, so "nothing was written" is one
 * equality.
 */
export async function dbState(server: TestServer, counted: string[]): Promise<Record<string, unknown>> {
  const db = server.pychat.dataSource;
  const state: Record<string, unknown> = {};
  for (const table of ['messages', 'message_edits', 'message_mentions', 'rooms', 'room_members', 'channels']) {
    state[table] = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  }
  for (const table of counted) {
    // COUNT(*) comes back as a string on MySQL.
    const rows = (await db.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[];
    state[`${table}.count`] = Number(rows[0]?.n);
  }
  return state;
}

/** The frames of `client` of a kind (`prefix`: 'p2p.', 'transfer.') received after `mark`, replies and errors left out. */
export function framesSince(client: TestClient, mark: number, prefix: string): ServerFrame[] {
  return client.frames.slice(mark).filter((f) => f.type.startsWith(prefix));
}

/**
 * Waits until every observer got a typing frame (in the "all" room) that `sender` publishes now. Redis keeps
 * publish order, so whatever was published before it has been delivered by then: a negative check after this
 * is real.
 */
export async function busBarrier(sender: ConnectedUser, observers: TestClient[]): Promise<void> {
  const seen = observers.map((o) => new Set(o.frames));
  const arrived = observers.map((o, i) =>
    o.waitFor((f) => !seen[i]!.has(f) && f.type === 'typing.started' && f.data.userId === sender.user.id),
  );
  await sender.client.request('typing.start', { roomId: ALL_ROOM_ID });
  await Promise.all(arrived);
}
