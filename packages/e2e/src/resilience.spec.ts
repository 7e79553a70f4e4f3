import { randomBytes } from 'node:crypto';
import { ALL_ROOM_ID, type MessageDto } from '@pychat/protocol';
import { createConnection } from 'mysql2/promise';
import WebSocket from 'ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attempt, contentOf, Member, sendSteadily, type SendLog } from './load';
import {
  isRunning,
  sleep,
  startDbProxy,
  startMariaDb,
  startRedis,
  waitUntil,
  type DbProxy,
  type MariaDbServer,
  type RedisServer,
} from './processes';
import { api, signUp, startInstance, uniqueName, TestClient, type Instance } from './stack';

const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6380';
/** Send budgets high enough for the load these specs generate (see docs/performance.md for the bench). */
const LOAD_RATE_LIMITS = { PYCHAT_WS_SEND_PER_S: '100000', PYCHAT_WS_SEND_BURST: '100000' };

/** Everything a test started, killed in afterEach whatever happened. */
const started: {
  instances: Instance[];
  redis: RedisServer[];
  mariadb: MariaDbServer[];
  proxies: DbProxy[];
  databases: string[];
} = {
  instances: [],
  proxies: [],
  redis: [],
  mariadb: [],
  databases: [],
};

afterEach(async () => {
  for (const instance of started.instances.splice(0)) {
    await instance.kill();
  }
  for (const redis of started.redis.splice(0)) {
    await redis.kill();
  }
  for (const proxy of started.proxies.splice(0)) {
    await proxy.close();
  }
  for (const mariadb of started.mariadb.splice(0)) {
    await mariadb.stop();
  }
});

afterAll(async () => {
  if (started.databases.length === 0) {
    return;
  }
  const admin = await createConnection(MYSQL);
  for (const database of started.databases) {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  }
  await admin.end();
});

/** A fresh database on `serverUrl` (mysql://user:pass@host:port); answers its PYCHAT_DB_URL. */
async function createDatabase(serverUrl: string, track = true): Promise<{ name: string; dbUrl: string }> {
  const name = `e2e_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(serverUrl);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  if (track) {
    started.databases.push(name);
  }
  return { name, dbUrl: `${serverUrl.replace(/^mysql:/, 'mariadb:')}/${name}` };
}

async function launch(env: Record<string, string>): Promise<Instance> {
  const instance = await startInstance(env);
  started.instances.push(instance);
  return instance;
}

interface Row {
  id: number;
  sender_id: number;
  local_id: string;
  content: string;
}

async function storedMessages(serverUrl: string, database: string, roomId: number): Promise<Row[]> {
  const conn = await createConnection(`${serverUrl}/${database}`);
  const [rows] = await conn.query(
    'SELECT id, sender_id, local_id, content FROM messages WHERE room_id = ? ORDER BY id',
    [roomId],
  );
  await conn.end();
  return (rows as Row[]).map((r) => ({ ...r, id: Number(r.id), sender_id: Number(r.sender_id) }));
}

function ackedMessages(logs: SendLog[]): MessageDto[] {
  return logs.flatMap((log) => [...log.acked.values()]);
}

/** Ids of acknowledged messages a member does not hold. */
function missing(member: Member, acked: MessageDto[], roomId: number): number[] {
  const held = member.held(roomId);
  return acked.filter((m) => !held.has(m.id)).map((m) => m.id);
}

/** Two held messages with the same (sender, content) but different ids would be a duplicate. */
function duplicatesHeld(member: Member, roomId: number): string[] {
  const byContent = new Map<string, number>();
  const dups: string[] = [];
  for (const message of member.held(roomId).values()) {
    const key = `${message.senderId}:${message.content}`;
    const other = byContent.get(key);
    if (other !== undefined && other !== message.id) {
      dups.push(key);
    }
    byContent.set(key, message.id);
  }
  return dups;
}

/** Rows of the database against the acknowledgements: each one stored once, with the acknowledged id. */
function checkStored(rows: Row[], logs: SendLog[]): void {
  const byLocal = new Map(rows.map((r) => [`${r.sender_id}:${r.local_id}`, r]));
  for (const log of logs) {
    for (const [localId, message] of log.acked) {
      const row = byLocal.get(`${log.member.auth.user.id}:${localId}`);
      expect(row, `${localId} acknowledged but not stored`).toBeDefined();
      expect(row).toMatchObject({ id: message.id, content: message.content });
    }
  }
  const contents = rows.map((r) => `${r.sender_id}:${r.content}`);
  expect(new Set(contents).size, 'a message is stored twice').toBe(contents.length);
}

describe('resilience: one of two instances killed with SIGKILL under load', () => {
  it('loses no acknowledged message and duplicates none', async () => {
    const db = await createDatabase(MYSQL);
    const env = {
      PYCHAT_DB_URL: db.dbUrl,
      PYCHAT_REDIS_URL: REDIS,
      PYCHAT_REDIS_PREFIX: `${db.name}:`,
      PYCHAT_DATA_DIR: '/nonexistent',
      // Each member sends ~100 messages a second on purpose: above the default per-socket budget (10/s).
      ...LOAD_RATE_LIMITS,
    };
    // The doomed instance reaches MariaDB through a proxy that can swallow the answer to one COMMIT.
    const proxy = await startDbProxy(Number(new URL(MYSQL).port));
    started.proxies.push(proxy);
    const viaProxy = new URL(env.PYCHAT_DB_URL);
    viaProxy.port = String(proxy.port);
    const doomed = await launch({ ...env, PYCHAT_DB_URL: viaProxy.toString(), PYCHAT_INSTANCE_ID: 'doomed' });
    const survivor = await launch({ ...env, PYCHAT_INSTANCE_ID: 'survivor' });

    const members: Member[] = [];
    for (let i = 0; i < 6; i++) {
      const name = uniqueName(i < 3 ? 'd' : 's');
      members.push(new Member(name, await signUp(survivor, name)));
    }
    const onDoomed = members.slice(0, 3);
    const onSurvivor = members.slice(3);
    for (const m of members) {
      await m.connect(onDoomed.includes(m) ? doomed : survivor);
    }

    // Once a fifth of the load is acknowledged, the next message the doomed instance commits is its last:
    // committed in MariaDB, its COMMIT answer held back, and the instance SIGKILLed before it could
    // fan the message out or answer it: the worst moment to die.
    const count = 40;
    let acks = 0;
    let killed: Promise<void> | null = null;
    const t0 = Date.now();
    const logs = await Promise.all(
      members.map((m) =>
        sendSteadily(m, {
          roomId: ALL_ROOM_ID,
          count,
          pauseMs: 10,
          deadline: t0 + 45_000,
          // Reconnect to the survivor, resync, then the loop resends the unanswered localId.
          reconnect: async () => {
            await m.connect(survivor);
            await m.catchUp(ALL_ROOM_ID);
          },
          onAck: () => {
            if (++acks === (members.length * count) / 5) {
              killed = proxy.holdNextMessageCommit().then(() => doomed.kill());
            }
          },
        }),
      ),
    );
    expect(killed).not.toBeNull();
    await killed;
    expect(doomed.process.signalCode).toBe('SIGKILL');
    expect(isRunning(survivor.process)).toBe(true);

    for (const log of logs) {
      expect(log.unacked, `${log.member.name} never got an answer`).toEqual([]);
      expect(log.errors, `${log.member.name} got error frames`).toEqual([]);
    }
    // The message committed while its instance died was resent and answered from the database.
    expect(logs.reduce((n, l) => n + l.duplicates, 0)).toBeGreaterThanOrEqual(1);
    const acked = ackedMessages(logs);
    expect(acked).toHaveLength(members.length * count);

    // Everyone's live stream settles (the last sends are fanned out after their replies, at worst).
    await waitUntil(
      'every member to hold every acknowledged message',
      async () => members.every((m) => missing(m, acked, ALL_ROOM_ID).length === 0),
      10_000,
    ).catch(() => undefined);
    for (const m of members) {
      expect(missing(m, acked, ALL_ROOM_ID), `${m.name} misses acknowledged messages`).toEqual([]);
      expect(duplicatesHeld(m, ALL_ROOM_ID), `${m.name} holds a message twice`).toEqual([]);
    }
    // Members on the survivor never reconnected: they had every message live, without a resync.
    for (const m of onSurvivor) {
      expect(m.clients).toHaveLength(1);
      expect(m.syncs).toBe(0);
    }
    for (const m of onDoomed) {
      expect(m.clients.length).toBeGreaterThanOrEqual(2);
    }

    checkStored(await storedMessages(MYSQL, db.name, ALL_ROOM_ID), logs);
    expect((await storedMessages(MYSQL, db.name, ALL_ROOM_ID)).length).toBe(members.length * count);

    console.log(
      `SIGKILL under load: ${acked.length} messages acknowledged in ${Date.now() - t0} ms; ` +
        `interrupted sends ${logs.reduce((n, l) => n + l.interrupted, 0)}, ` +
        `resends answered duplicate ${logs.reduce((n, l) => n + l.duplicates, 0)}, ` +
        `resync gaps ${members.reduce((n, m) => n + m.gaps, 0)}`,
    );
    for (const m of members) {
      await m.client.close();
    }
  }, 90_000);
});

async function health(instance: Instance): Promise<{ status: number; body: { ok: boolean; db: string; bus: string } }> {
  return api<{ ok: boolean; db: string; bus: string }>(instance, 'GET', '/api/health');
}

describe('resilience: Redis killed and restarted under load', () => {
  it('keeps both instances up and sending, then resyncs, resubscribes and fans out again', async () => {
    const redis = await startRedis();
    started.redis.push(redis);
    const db = await createDatabase(MYSQL);
    const env = {
      PYCHAT_DB_URL: db.dbUrl,
      PYCHAT_REDIS_URL: redis.url,
      PYCHAT_REDIS_PREFIX: `${db.name}:`,
      PYCHAT_DATA_DIR: '/nonexistent',
      // Each member sends ~100 messages a second on purpose: above the default per-socket budget (10/s).
      ...LOAD_RATE_LIMITS,
    };
    const one = await launch({ ...env, PYCHAT_INSTANCE_ID: 'one' });
    const two = await launch({ ...env, PYCHAT_INSTANCE_ID: 'two' });
    const members: Member[] = [];
    for (let i = 0; i < 4; i++) {
      const name = uniqueName(i < 2 ? 'o' : 't');
      const member = new Member(name, await signUp(one, name));
      await member.connect(i < 2 ? one : two);
      members.push(member);
    }

    // Connects while Redis is down.
    const lateName = uniqueName('l');
    const late = new Member(lateName, await signUp(two, lateName));

    // Redis dies early in the load and stays down 1.5 s; every sender keeps going throughout (≥ 3 s).
    const count = 120;
    let acks = 0;
    let killedAt = 0;
    let restartedAt = 0;
    let outage: Promise<void> | null = null;
    const seenDown: { one?: unknown; two?: unknown; lateSend?: string } = {};
    const t0 = Date.now();
    const logs = await Promise.all(
      members.map((m) =>
        sendSteadily(m, {
          roomId: ALL_ROOM_ID,
          count,
          pauseMs: 25,
          deadline: t0 + 60_000,
          reconnect: async () => {
            throw new Error(`${m.name} lost its socket: Redis must not cost a client its connection`);
          },
          onAck: () => {
            if (++acks !== 40) {
              return;
            }
            outage = (async () => {
              await redis.kill();
              killedAt = Date.now();
              // Both instances say so: 503, bus down.
              seenDown.one = (await waitUntil(
                'one to report the bus down',
                async () => {
                  const h = await health(one);
                  return h.status === 503 && h.body.bus === 'down' && h.body;
                },
                1_500,
              )) as unknown;
              seenDown.two = (await waitUntil(
                'two to report the bus down',
                async () => {
                  const h = await health(two);
                  return h.status === 503 && h.body.bus === 'down' && h.body;
                },
                1_500,
              )) as unknown;
              // Without Redis a socket still opens and its sends are committed and answered.
              await late.connect(two);
              const lateSend = await attempt(late.client, 'message.send', {
                roomId: ALL_ROOM_ID,
                content: contentOf(late, 0),
                localId: `${late.name}-0`,
              });
              seenDown.lateSend = lateSend.kind;
              await sleep(Math.max(0, killedAt + 1_500 - Date.now()));
              await redis.start();
              restartedAt = Date.now();
            })();
          },
        }),
      ),
    );
    await outage;
    expect(killedAt).toBeGreaterThan(0);
    expect(restartedAt).toBeGreaterThan(killedAt);
    expect(seenDown.one).toMatchObject({ ok: false, db: 'up', bus: 'down' });
    expect(seenDown.two).toMatchObject({ ok: false, db: 'up', bus: 'down' });
    expect(seenDown.lateSend).toBe('reply');

    // Nobody crashed and nobody lost a socket; every send was answered, none with an error.
    expect(isRunning(one.process) && isRunning(two.process)).toBe(true);
    for (const log of logs) {
      expect(log.unacked).toEqual([]);
      expect(log.errors).toEqual([]);
      expect(log.member.clients).toHaveLength(1);
      // Sends committed while Redis was down were answered.
      const duringOutage = [...log.ackedAt.values()].filter((t) => t > killedAt && t < restartedAt);
      expect(duringOutage.length, `${log.member.name} sent nothing while Redis was down`).toBeGreaterThan(0);
    }

    // Both instances reconnect by themselves.
    for (const instance of [one, two]) {
      await waitUntil(
        `instance ${instance.port} healthy again`,
        async () => {
          const h = await health(instance);
          return h.status === 200 && h.body.bus === 'up';
        },
        15_000,
      );
    }

    // What was committed during the outage reached nobody live; message.sync brings it to everyone.
    const acked = ackedMessages(logs);
    const missedLive = members.map((m) => acked.filter((a) => !m.live(ALL_ROOM_ID).has(a.id)).length);
    expect(Math.min(...missedLive)).toBeGreaterThan(0);
    for (const m of members) {
      await m.catchUp(ALL_ROOM_ID);
      expect(missing(m, acked, ALL_ROOM_ID), `${m.name} misses acknowledged messages`).toEqual([]);
      expect(duplicatesHeld(m, ALL_ROOM_ID)).toEqual([]);
    }
    checkStored(await storedMessages(MYSQL, db.name, ALL_ROOM_ID), logs);

    // Presence is back too: Redis lost every key, the instances wrote their sockets back.
    const everyone = [...members, late].map((m) => m.auth.user.id).sort();
    const watcherName = uniqueName('w');
    const watcher = new Member(watcherName, await signUp(one, watcherName));
    await waitUntil(
      'presence.subscribe to find everyone connected online',
      async () => {
        const client = await watcher.connect(one);
        const { online } = await client.request('presence.subscribe', { userIds: everyone });
        await client.close();
        return everyone.every((id) => online.includes(id));
      },
      8_000,
      500,
    );

    // The subscriptions are back: live fan-out within and across instances.
    const [o1, o2, t1] = members as [Member, Member, Member, Member];
    const fromOne = await o1.client.request('message.send', {
      roomId: ALL_ROOM_ID,
      content: 'after',
      localId: 'after',
    });
    await o2.client.waitFor('message.new', (d) => d.message.id === fromOne.message.id, 5_000);
    await t1.client.waitFor('message.new', (d) => d.message.id === fromOne.message.id, 5_000);
    const fromTwo = await t1.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'back', localId: 'back' });
    await o1.client.waitFor('message.new', (d) => d.message.id === fromTwo.message.id, 5_000);

    console.log(
      `Redis outage: ${acked.length} messages acknowledged in ${Date.now() - t0} ms, Redis down ${restartedAt - killedAt} ms; ` +
        `missed live per member ${missedLive.join('/')}, resync gaps ${members.reduce((n, m) => n + m.gaps, 0)}`,
    );
    for (const m of [...members, late]) {
      await m.client.close();
    }
  }, 90_000);
});

describe('resilience: the database unreachable for a while', () => {
  it('answers UNAVAILABLE meanwhile, stays up, and recovers by itself when MariaDB is back', async () => {
    const mariadb = await startMariaDb();
    started.mariadb.push(mariadb);
    const db = await createDatabase(mariadb.url, false);
    const instance = await launch({ PYCHAT_DB_URL: db.dbUrl, PYCHAT_DATA_DIR: '/nonexistent' });
    const aliceName = uniqueName('alice');
    const bobName = uniqueName('bob');
    const alice = new Member(aliceName, await signUp(instance, aliceName));
    const bob = new Member(bobName, await signUp(instance, bobName));
    await alice.connect(instance);
    await bob.connect(instance);
    const before = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'before', localId: 'b' });
    await bob.client.waitFor('message.new', (d) => d.message.id === before.message.id);

    // Killed with sends in flight: each one is answered, either committed or UNAVAILABLE (the pooled
    // connections break mid-query: ECONNRESET, PROTOCOL_CONNECTION_LOST).
    const flight = Array.from({ length: 12 }, (_, i) => ({
      member: i % 2 ? alice : bob,
      content: `in flight ${i}`,
      localId: `flight-${i}`,
    }));
    const inFlight = flight.map((f) =>
      attempt(f.member.client, 'message.send', { roomId: ALL_ROOM_ID, content: f.content, localId: f.localId }),
    );
    await sleep(5);
    await mariadb.kill();
    const flightAnswers = (await Promise.all(inFlight)).map((o) => (o.kind === 'error' ? o.code : o.kind));
    for (const answer of flightAnswers) {
      expect(['reply', 'UNAVAILABLE']).toContain(answer);
    }

    // While it is down every request that needs it gets a clear, documented answer, quickly.
    const answers: { code: string; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      const outcome = await attempt(alice.client, 'message.send', {
        roomId: ALL_ROOM_ID,
        content: `while down ${i}`,
        localId: `down-${i}`,
      });
      answers.push({ code: outcome.kind === 'error' ? outcome.code : outcome.kind, ms: Date.now() - t });
    }
    expect(answers.map((a) => a.code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(6_000);
    expect(await attempt(bob.client, 'typing.start', { roomId: ALL_ROOM_ID })).toEqual({
      kind: 'error',
      code: 'UNAVAILABLE',
    });
    expect(await health(instance)).toMatchObject({ status: 503, body: { ok: false, db: 'down', bus: 'memory' } });
    expect(await api(instance, 'GET', '/api/rooms', undefined, alice.auth.token)).toMatchObject({
      status: 503,
      body: { code: 'UNAVAILABLE' },
    });
    // A new socket cannot check its session: refused with 503 before the upgrade, not left hanging.
    const refused = await new Promise<number>((ok, fail) => {
      const ws = new WebSocket(instance.wsUrl, { headers: { authorization: `Bearer ${alice.auth.token}` } });
      ws.once('unexpected-response', (_req, res) => {
        ok(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => fail(new Error('the upgrade was accepted without a database')));
      ws.once('error', () => undefined);
    });
    expect(refused).toBe(503);
    // Open sockets stay open, the process stays up.
    expect(alice.connected && bob.connected).toBe(true);
    expect(isRunning(instance.process)).toBe(true);

    await mariadb.restart();

    // No restart of Pychat: its pool reconnects by itself. The first send that goes through again is a
    // resend of a refused one; it reaches Bob live.
    const resent = await waitUntil(
      'a send to succeed again',
      async () => {
        const outcome = await attempt(alice.client, 'message.send', {
          roomId: ALL_ROOM_ID,
          content: 'while down 0',
          localId: 'down-0',
        });
        return outcome.kind === 'reply' && outcome.data;
      },
      20_000,
      250,
    );
    expect(resent.duplicate).toBe(false);
    await bob.client.waitFor('message.new', (d) => d.message.id === resent.message.id);
    expect(await health(instance)).toMatchObject({ status: 200, body: { ok: true, db: 'up' } });

    // Every refused send, resent with its localId, is stored exactly once (a send cut off during its
    // COMMIT may have been stored already: the resend then answers duplicate).
    for (const i of [1, 2]) {
      await alice.client.request('message.send', {
        roomId: ALL_ROOM_ID,
        content: `while down ${i}`,
        localId: `down-${i}`,
      });
    }
    for (const f of flight) {
      await f.member.client.request('message.send', { roomId: ALL_ROOM_ID, content: f.content, localId: f.localId });
    }
    const rows = await storedMessages(mariadb.url, db.name, ALL_ROOM_ID);
    const expected = ['before', ...flight.map((f) => f.content), 'while down 0', 'while down 1', 'while down 2'];
    expect(rows.map((r) => r.content).sort()).toEqual(expected.sort());

    const again = await TestClient.connect(instance, bob.auth.token);
    expect((await again.request('message.history', { roomId: ALL_ROOM_ID })).messages).toHaveLength(expected.length);
    expect(isRunning(instance.process)).toBe(true);
    console.log(`database outage: sends in flight answered ${flightAnswers.join(' ')}`);
    for (const client of [alice.client, bob.client, again]) {
      await client.close();
    }
  }, 90_000);
});
