import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  PROTOCOL_VERSION,
  type AuthResponse,
  type ClientMessages,
  type ClientReplies,
  type ClientType,
  type ErrorBody,
  type ServerEventType,
  type ServerFrame,
  type ServerMessages,
} from '@pychat/protocol';
import { createConnection } from 'mysql2/promise';
import WebSocket from 'ws';
import { startPychat, type Pychat } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger, type Logger } from '../../src/logger';
import { PasswordHasher } from '../../src/services/password';
import { TEST_SCRYPT } from '../service';

/**
 * Medium-test harness. TEST_DB=sqlite (default: in-memory SQLite, memory bus) or TEST_DB=mysql
 * (a fresh MariaDB database per server from TEST_MYSQL_URL, Redis bus from TEST_REDIS_URL with a random prefix).
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

export async function startServer(
  backend: SharedBackend,
  env: Record<string, string> = {},
  options: { logger?: Logger; passwordHasher?: PasswordHasher } = {},
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
    ...(backend.redisUrl ? { PYCHAT_REDIS_URL: backend.redisUrl, PYCHAT_REDIS_PREFIX: backend.redisPrefix } : {}),
    ...env,
  });
  const pychat = await startPychat(config, options.logger ?? createLogger(config.logLevel, config.instanceId), {
    passwordHasher: options.passwordHasher ?? new PasswordHasher(TEST_SCRYPT),
  });
  return {
    pychat,
    url: pychat.url,
    wsUrl: `ws://127.0.0.1:${pychat.port}/ws?v=${PROTOCOL_VERSION}`,
    stop: () => pychat.stop(),
  };
}

let userCounter = 0;

export function uniqueName(prefix = 'u'): string {
  userCounter += 1;
  return `${prefix}${userCounter}${randomBytes(2).toString('hex')}`.slice(0, 16);
}

export async function api<T = unknown>(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function signUp(server: TestServer, username = uniqueName()): Promise<AuthResponse> {
  const res = await api<AuthResponse>(server, 'POST', '/api/auth/sign-up', { username, password: 'secret-pw' });
  if (res.status !== 201) {
    throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

export class RequestError extends Error {
  constructor(readonly body: ErrorBody) {
    super(`${body.code}: ${body.message}`);
  }
}

/** A plain WebSocket client speaking the documented protocol, recording every frame it receives. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  #nextId = 1;
  #waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as ServerFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (w.match(frame)) {
          w.resolve(frame);
          return false;
        }
        return true;
      });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static async connect(server: TestServer, token: string, options: { usersSince?: number } = {}): Promise<TestClient> {
    const url = options.usersSince === undefined ? server.wsUrl : `${server.wsUrl}&usersSince=${options.usersSince}`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const client = new TestClient(ws);
    const ready = client.waitFor('session.ready');
    // A refused upgrade rejects below; this wait must not then surface as an unhandled rejection.
    ready.catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    await ready;
    return client;
  }

  get ready(): ServerMessages['session.ready'] {
    const frame = this.frames.find((f) => f.type === 'session.ready');
    return (frame as { data: ServerMessages['session.ready'] }).data;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and resolves with its reply, or rejects with RequestError carrying the error frame. */
  async request<K extends ClientType>(type: K, data: ClientMessages[K]): Promise<ClientReplies[K]> {
    const id = this.#nextId++;
    const answer = this.waitFor(
      (f) => (f.type === 'reply' || f.type === 'error') && 'replyTo' in f && f.replyTo === id,
    );
    this.ws.send(JSON.stringify({ type, id, data }));
    const frame = await answer;
    if (frame.type === 'error') {
      throw new RequestError(frame.data as ErrorBody);
    }
    return frame.data as ClientReplies[K];
  }

  /** Resolves with the error body of a request that must fail. */
  async requestError<K extends ClientType>(type: K, data: unknown): Promise<ErrorBody> {
    try {
      await this.request(type, data as ClientMessages[K]);
    } catch (error) {
      if (error instanceof RequestError) {
        return error.body;
      }
      throw error;
    }
    throw new Error(`${type} was expected to fail`);
  }

  /** Waits for the first frame (already received or future) of a type matching a predicate. */
  waitFor<K extends ServerEventType>(
    type: K,
    predicate?: (data: ServerMessages[K]) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessages[K]>;
  waitFor(match: (f: ServerFrame) => boolean, predicate?: undefined, timeoutMs?: number): Promise<ServerFrame>;
  waitFor(
    typeOrMatch: string | ((f: ServerFrame) => boolean),
    predicate?: (data: never) => boolean,
    timeoutMs = 5_000,
  ): Promise<unknown> {
    const match =
      typeof typeOrMatch === 'function'
        ? typeOrMatch
        : (f: ServerFrame) => f.type === typeOrMatch && (!predicate || predicate(f.data as never));
    const existing = this.frames.find(match);
    if (existing) {
      return Promise.resolve(typeof typeOrMatch === 'function' ? existing : existing.data);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(typeOrMatch)}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(typeof typeOrMatch === 'function' ? f : f.data);
        },
      });
    });
  }

  /** Every received frame of a type. */
  all<K extends ServerEventType>(type: K): ServerMessages[K][] {
    return this.frames.filter((f) => f.type === type).map((f) => f.data as ServerMessages[K]);
  }

  /** Round-trips a ping, so every frame the server sent before it has arrived. */
  async settle(): Promise<void> {
    await this.request('session.ping', {});
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Signs up a user and connects one socket. */
export async function connectedUser(server: TestServer, username?: string) {
  const auth = await signUp(server, username);
  const client = await TestClient.connect(server, auth.token);
  // A first connection is announced in the next presence batch, to everyone including itself: wait for it,
  // so it cannot land among the frames a test counts later.
  await client.waitFor('presence.changed', (d) => d.online.includes(auth.user.id));
  return { ...auth, client };
}

export type ConnectedUser = Awaited<ReturnType<typeof connectedUser>>;

/**
 * One server for the enclosing describe block. Every socket opened through it is closed after each test,
 * also when the test fails, so one test's sockets never leak frames into the next.
 */
export function useTestServer() {
  let backend: SharedBackend;
  let server: TestServer;
  const open: TestClient[] = [];

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
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
    /** A new user with one connected socket. */
    async user(): Promise<ConnectedUser> {
      const created = await connectedUser(server);
      open.push(created.client);
      return created;
    },
    /** Another socket for a token: a second tab, or a fresh connection to read its session.ready. */
    async connect(token: string, options: { usersSince?: number } = {}): Promise<TestClient> {
      const client = await TestClient.connect(server, token, options);
      open.push(client);
      return client;
    },
  };
}
