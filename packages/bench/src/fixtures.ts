/**
 * Users, rooms and history for the scenarios, built through Pychat's public API and cached.
 *
 * Sign-up hashes the password with scrypt (32 MiB, ~50–100 ms of CPU each), so 15,000 users take minutes.
 * Each pool of users lives in its own database (SQLite file `<state>/sqlite/<pool>.sqlite`, or MariaDB
 * database `bench_<pool>`) and the users with their session tokens, plus the rooms built for each layout,
 * are cached in `<state>/cache/<backend>-<pool>.json`. The next run checks a few tokens and rooms against
 * the server and reuses them; if the database was wiped it is rebuilt. Sign-up resumes where an
 * interrupted run stopped (the cache is saved every 250 users).
 *
 * The 1,000,000 history messages are inserted with SQL in batches (the server is stopped meanwhile), not
 * sent through the API: that would take hours and is not what the scenario measures.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALL_CHANNEL_ID } from '@pychat/protocol';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { api, signUp, TestClient } from '@pychat/testkit';
import { startPychat, type Instance } from './pychat';
import type { Layout } from './scenarios';

export type Backend = 'sqlite' | 'mariadb';

export interface CachedUser {
  id: number;
  username: string;
  token: string;
}

export interface PoolCache {
  version: 1;
  backend: Backend;
  pool: string;
  dbUrl: string;
  users: CachedUser[];
  /** `room:<size>` → [roomId]; `rooms:<n>x<size>` → room ids in order. */
  rooms: Record<string, number[]>;
  history?: { roomId: number; count: number; minId: number; maxId: number };
  /** When users were last added (ms); absent in caches written before it was recorded. */
  usersChangedAt?: number;
}

export interface FixtureContext {
  backend: Backend;
  stateDir: string;
  /** mariadb://user:pass@host:port (no database) for MariaDB runs. */
  mariadbUrl: string | null;
  pychatMain: string;
  logDir: string;
  signUpConcurrency: number;
}

const PASSWORD = 'bench-password';
const CACHE_VERSION = 1;

function log(message: string): void {
  console.log(`  [setup] ${message}`);
}

export function databaseUrl(ctx: FixtureContext, pool: string): string {
  if (ctx.backend === 'sqlite') {
    return `sqlite:${join(ctx.stateDir, 'sqlite', `${pool}.sqlite`)}`;
  }
  return `${ctx.mariadbUrl}/bench_${pool}`;
}

function cacheFile(ctx: FixtureContext, pool: string): string {
  return join(ctx.stateDir, 'cache', `${ctx.backend}-${pool}.json`);
}

function saveCache(ctx: FixtureContext, cache: PoolCache): void {
  const file = cacheFile(ctx, cache.pool);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(cache));
}

function loadCache(ctx: FixtureContext, pool: string, dbUrl: string): PoolCache | null {
  const file = cacheFile(ctx, pool);
  if (!existsSync(file)) {
    return null;
  }
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as PoolCache;
    // Older caches did not record it: the file's last write is no earlier than the last sign-up.
    cache.usersChangedAt ??= statSync(file).mtimeMs;
    return cache.version === CACHE_VERSION && cache.dbUrl === dbUrl ? cache : null;
  } catch {
    return null;
  }
}

async function mariadbQuery(serverUrl: string, sql: string): Promise<void> {
  const connection = await createConnection(serverUrl.replace(/^mariadb:/, 'mysql:'));
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

async function ensureDatabase(ctx: FixtureContext, pool: string): Promise<void> {
  if (ctx.backend === 'mariadb') {
    await mariadbQuery(
      ctx.mariadbUrl as string,
      `CREATE DATABASE IF NOT EXISTS bench_${pool} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } else {
    mkdirSync(join(ctx.stateDir, 'sqlite'), { recursive: true });
  }
}

async function wipeDatabase(ctx: FixtureContext, pool: string): Promise<void> {
  if (ctx.backend === 'mariadb') {
    await mariadbQuery(ctx.mariadbUrl as string, `DROP DATABASE IF EXISTS bench_${pool}`);
  } else {
    const file = join(ctx.stateDir, 'sqlite', `${pool}.sqlite`);
    for (const suffix of ['', '-wal', '-shm']) {
      rmSync(`${file}${suffix}`, { force: true });
    }
  }
  await ensureDatabase(ctx, pool);
}

function startSetupServer(ctx: FixtureContext, dbUrl: string, pool: string): Promise<Instance> {
  return startPychat({
    main: ctx.pychatMain,
    dbUrl,
    redisUrl: null,
    redisPrefix: 'bench-setup:',
    dataDir: join(ctx.stateDir, 'data'),
    logFile: join(ctx.logDir, `setup-${ctx.backend}-${pool}.log`),
    logLevel: 'warn',
    nodeArgs: [],
    instanceId: `setup-${pool}`,
  });
}

async function tokenValid(base: string, token: string): Promise<boolean> {
  return (await api(base, 'GET', '/api/rooms', undefined, token)).status === 200;
}

async function roomHas(base: string, token: string, roomId: number, size: number): Promise<boolean> {
  const res = await api<{ members: unknown[] }>(base, 'GET', `/api/rooms/${roomId}/members`, undefined, token);
  return res.status === 200 && res.body.members.length === size;
}

/** Signs up users `from..to-1` with bounded concurrency (scrypt is the cost). */
async function signUpUsers(ctx: FixtureContext, base: string, cache: PoolCache, count: number): Promise<void> {
  const missing = count - cache.users.length;
  if (missing <= 0) {
    return;
  }
  log(`signing up ${missing} users for pool ${cache.pool} (scrypt: about ${Math.ceil(missing / 25)} s)…`);
  const started = Date.now();
  const slots: (CachedUser | undefined)[] = [];
  const first = cache.users.length;
  let next = first;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      let username = `b${cache.pool}_${index}`.slice(0, 16);
      let auth;
      for (let attempt = 0; ; attempt++) {
        try {
          auth = await signUp(base, username, { password: PASSWORD, attempts: 5 });
          break;
        } catch (error) {
          // Left over by an interrupted run whose cache missed it: take another name.
          if (attempt >= 3 || !String(error).includes('USERNAME_TAKEN')) {
            throw error;
          }
          username = `b${cache.pool}_${index}${Math.random().toString(36).slice(2, 5)}`.slice(0, 16);
        }
      }
      slots[index - first] = { id: auth.user.id, username, token: auth.token };
      done++;
      if (done % 250 === 0) {
        // Keep the contiguous prefix, so an interrupted run resumes without duplicate usernames.
        const prefix: CachedUser[] = [];
        for (const slot of slots) {
          if (!slot) {
            break;
          }
          prefix.push(slot);
        }
        saveCache(ctx, { ...cache, users: [...cache.users, ...prefix] });
        const rate = done / ((Date.now() - started) / 1000);
        log(`  ${first + done}/${count} users (${rate.toFixed(1)}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: ctx.signUpConcurrency }, worker));
  cache.users.push(...(slots as CachedUser[]));
  cache.usersChangedAt = Date.now();
  saveCache(ctx, cache);
  log(`signed up ${missing} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The setup's sockets: the kit's client with a busy machine's timeouts, uncompressed like the load clients.
 * Setup sends a few requests per room, so the client recording every frame costs nothing next to the
 * invites themselves. The load itself stays on driver/'s raw sockets: it is a load generator, not a client
 * under test.
 */
const SETUP_SOCKET = { timeoutMs: 120_000, perMessageDeflate: false };

/** A named room in the "all" channel with the given users; invitations go in batches of 500. */
async function createRoom(rpc: TestClient, name: string, userIds: number[], creatorId: number): Promise<number> {
  const others = userIds.filter((id) => id !== creatorId);
  const created = await rpc.request('room.create', {
    channelId: ALL_CHANNEL_ID,
    name,
    userIds: others.slice(0, 500),
  });
  for (let i = 500; i < others.length; i += 500) {
    await rpc.request('room.invite', { roomId: created.room.id, userIds: others.slice(i, i + 500) });
  }
  if (!userIds.includes(creatorId)) {
    await rpc.request('room.leave', { roomId: created.room.id });
  }
  return created.room.id;
}

async function buildLayout(base: Instance, cache: PoolCache, layout: Layout): Promise<void> {
  const admin = cache.users[0];
  if (layout.kind === 'room') {
    const key = `room:${layout.size}`;
    const existing = cache.rooms[key]?.[0];
    if (existing && (await roomHas(base.url, admin.token, existing, layout.size))) {
      return;
    }
    log(`creating a room of ${layout.size}`);
    const rpc = await TestClient.connect(base, admin.token, SETUP_SOCKET);
    try {
      const ids = cache.users.slice(0, layout.size).map((u) => u.id);
      cache.rooms[key] = [await createRoom(rpc, `bench${layout.size}`, ids, admin.id)];
    } finally {
      rpc.terminate();
    }
  } else if (layout.kind === 'rooms') {
    const key = `rooms:${layout.rooms}x${layout.size}`;
    const existing = cache.rooms[key];
    if (
      existing?.length === layout.rooms &&
      (await roomHas(base.url, admin.token, existing[0], layout.size)) &&
      (await roomHas(
        base.url,
        cache.users[(layout.rooms - 1) * layout.size].token,
        existing[layout.rooms - 1],
        layout.size,
      ))
    ) {
      return;
    }
    log(`creating ${layout.rooms} rooms of ${layout.size}`);
    const rpc = await TestClient.connect(base, admin.token, SETUP_SOCKET);
    try {
      const ids: number[] = [];
      for (let r = 0; r < layout.rooms; r++) {
        const members = cache.users.slice(r * layout.size, (r + 1) * layout.size).map((u) => u.id);
        ids.push(await createRoom(rpc, `b${r}`, members, admin.id));
      }
      cache.rooms[key] = ids;
    } finally {
      rpc.terminate();
    }
  }
}

/** Inserts `count` messages from `senderId` into the room with plain SQL, in batches. */
async function seedHistory(
  ctx: FixtureContext,
  dbUrl: string,
  roomId: number,
  senderId: number,
  count: number,
): Promise<{ minId: number; maxId: number; count: number }> {
  const started = Date.now();
  const now = Date.now();
  const content = (i: number) => `history message ${i} `.padEnd(100, 'x');
  // One message a second, ending now.
  const at = (i: number) => now - (count - i) * 1000;
  let stats: { minId: number; maxId: number; count: number };
  if (ctx.backend === 'sqlite') {
    const db = new Database(dbUrl.slice('sqlite:'.length));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      const insert = db.prepare(
        'INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, updated_at, edited_at, deleted_at) VALUES (?, ?, ?, NULL, NULL, 0, NULL, ?, ?, NULL, NULL)',
      );
      const batch = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          insert.run(roomId, senderId, content(i), at(i), at(i));
        }
      });
      for (let from = 0; from < count; from += 10_000) {
        batch(from, Math.min(count, from + 10_000));
      }
      const row = db
        .prepare('SELECT MIN(id) AS minId, MAX(id) AS maxId, COUNT(*) AS n FROM messages WHERE room_id = ?')
        .get(roomId) as { minId: number; maxId: number; n: number };
      stats = { minId: row.minId, maxId: row.maxId, count: row.n };
    } finally {
      db.close();
    }
  } else {
    const connection = await createConnection(dbUrl.replace(/^mariadb:/, 'mysql:'));
    try {
      for (let from = 0; from < count; from += 5_000) {
        const rows: unknown[][] = [];
        for (let i = from; i < Math.min(count, from + 5_000); i++) {
          rows.push([roomId, senderId, content(i), null, null, 0, null, at(i), at(i), null, null]);
        }
        await connection.query(
          'INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, updated_at, edited_at, deleted_at) VALUES ?',
          [rows],
        );
      }
      const [result] = await connection.query(
        'SELECT MIN(id) AS minId, MAX(id) AS maxId, COUNT(*) AS n FROM messages WHERE room_id = ?',
        [roomId],
      );
      const row = (result as { minId: number; maxId: number; n: number }[])[0];
      stats = { minId: Number(row.minId), maxId: Number(row.maxId), count: Number(row.n) };
    } finally {
      await connection.end();
    }
  }
  log(`inserted ${count} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return stats;
}

/**
 * Makes sure the pool's database has the users, rooms and history the layout needs, using (and
 * refreshing) the cache. Runs its own short-lived Pychat instance, stopped before anything is measured.
 */
export async function preparePool(
  ctx: FixtureContext,
  pool: string,
  poolUsers: number,
  layout: Layout,
): Promise<PoolCache> {
  const dbUrl = databaseUrl(ctx, pool);
  await ensureDatabase(ctx, pool);
  let cache = loadCache(ctx, pool, dbUrl);
  let server = await startSetupServer(ctx, dbUrl, pool);
  try {
    if (cache && cache.users.length > 0) {
      const probes = [cache.users[0], cache.users[cache.users.length - 1]];
      const valid = (await Promise.all(probes.map((u) => tokenValid(server.url, u.token)))).every(Boolean);
      if (!valid) {
        log(`cached users of pool ${pool} are not in the database any more: rebuilding it`);
        cache = null;
      }
    }
    if (!cache) {
      await server.proc.stop();
      await wipeDatabase(ctx, pool);
      cache = { version: CACHE_VERSION, backend: ctx.backend, pool, dbUrl, users: [], rooms: {} };
      server = await startSetupServer(ctx, dbUrl, pool);
    }
    await signUpUsers(ctx, server.url, cache, poolUsers);
    await buildLayout(server, cache, layout);
    saveCache(ctx, cache);
    if (layout.kind === 'history' && (!cache.history || cache.history.count < layout.messages)) {
      const [reader, sender] = cache.users;
      let roomId = cache.history?.roomId;
      if (!roomId || !(await roomHas(server.url, reader.token, roomId, 2))) {
        const rpc = await TestClient.connect(server, reader.token, SETUP_SOCKET);
        try {
          roomId = await createRoom(rpc, 'history', [reader.id, sender.id], reader.id);
        } finally {
          rpc.terminate();
        }
      }
      // Stop the server: SQLite takes the bulk insert best alone, and nothing caches stale counts.
      await server.proc.stop();
      log(`inserting ${layout.messages} messages into room ${roomId} with SQL`);
      const seeded = await seedHistory(ctx, dbUrl, roomId, sender.id, layout.messages - (cache.history?.count ?? 0));
      cache.history = { roomId, ...seeded };
      saveCache(ctx, cache);
    }
  } finally {
    await server.proc.stop();
  }
  return cache;
}
