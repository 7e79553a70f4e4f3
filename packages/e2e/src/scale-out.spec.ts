import { randomBytes } from 'node:crypto';
import { ALL_ROOM_ID } from '@pychat/protocol';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startInstance, uniqueName, TestClient, type Instance } from './stack';

const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6380';

/** Two `node dist/main.js` processes on different ports sharing one MariaDB and one Redis behave as one server. */
describe('scale-out: two instances on MariaDB + Redis', () => {
  const database = `e2e_${randomBytes(4).toString('hex')}`;
  let one: Instance;
  let two: Instance;
  let env: Record<string, string>;

  beforeAll(async () => {
    const admin = await createConnection(MYSQL);
    await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    env = {
      PYCHAT_DB_URL: `${MYSQL.replace(/^mysql:/, 'mariadb:')}/${database}`,
      PYCHAT_REDIS_URL: REDIS,
      PYCHAT_REDIS_PREFIX: `${database}:`,
      PYCHAT_DATA_DIR: '/nonexistent',
    };
    // The first one runs the migrations; starting the second after avoids two migrators racing.
    one = await startInstance({ ...env, PYCHAT_INSTANCE_ID: 'one' });
    two = await startInstance({ ...env, PYCHAT_INSTANCE_ID: 'two' });
  });
  afterAll(async () => {
    await one?.kill();
    await two?.kill();
    const admin = await createConnection(MYSQL);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it('reports Redis as its bus', async () => {
    expect((await api(one, 'GET', '/api/health')).body).toMatchObject({ ok: true, db: 'up', bus: 'up' });
    expect((await api(two, 'GET', '/api/health')).body).toMatchObject({ ok: true, db: 'up', bus: 'up' });
  });

  it('carries messages, edits, deletes, presence, typing and room changes across instances', async () => {
    const alice = await signUp(one, uniqueName('alice'));
    const bob = await signUp(two, uniqueName('bob'));
    const a = await TestClient.connect(one, alice.token);
    // Presence (protocol v3: to subscribers): Bob's connection on instance two is seen by Alice on instance one.
    await a.request('presence.subscribe', { userIds: [bob.user.id] });
    const b = await TestClient.connect(two, bob.token);
    expect((await b.request('presence.subscribe', { userIds: [alice.user.id, bob.user.id] })).online.sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
    await a.waitFor('presence.changed', (d) => d.online.includes(bob.user.id));

    const sent = await a.request('message.send', { roomId: ALL_ROOM_ID, content: 'from one', localId: 's1' });
    expect((await b.waitFor('message.new', (d) => d.message.id === sent.message.id)).message.content).toBe('from one');
    const back = await b.request('message.send', { roomId: ALL_ROOM_ID, content: 'from two', localId: 's2' });
    expect((await a.waitFor('message.new', (d) => d.message.id === back.message.id)).message.senderId).toBe(
      bob.user.id,
    );

    await a.request('message.edit', { messageId: sent.message.id, content: 'from one (edited)' });
    const edited = await b.waitFor('message.edited', (d) => d.message.id === sent.message.id);
    expect(edited.message).toMatchObject({ content: 'from one (edited)' });
    expect(edited.message.editedAt).not.toBeNull();

    await b.request('message.delete', { messageId: back.message.id });
    const deleted = await a.waitFor('message.deleted', (d) => d.message.id === back.message.id);
    expect(deleted.message).toMatchObject({ deleted: true, content: null });

    await b.request('typing.start', { roomId: ALL_ROOM_ID });
    await a.waitFor('typing.started', (d) => d.userId === bob.user.id);

    // A direct room created on instance one reaches Bob on instance two, and its messages follow.
    const direct = await a.request('room.createDirect', { userId: bob.user.id });
    const added = await b.waitFor('room.added', (d) => d.room.id === direct.room.id);
    expect(added.room.kind).toBe('direct');
    const dm = await a.request('message.send', { roomId: direct.room.id, content: 'private', localId: 'dm1' });
    await b.waitFor('message.new', (d) => d.message.id === dm.message.id);

    // Read receipts cross too.
    await b.request('message.read', { roomId: direct.room.id, messageId: dm.message.id });
    const read = await a.waitFor('message.read', (d) => d.roomId === direct.room.id && d.userId === bob.user.id);
    expect(read.lastReadMessageId).toBe(dm.message.id);

    await b.close();
    const changed = await a.waitFor('presence.changed', (d) => d.offline.some((o) => o.userId === bob.user.id));
    expect(changed.offline.find((o) => o.userId === bob.user.id)?.lastSeenAt).toBeGreaterThan(0);
    await a.close();
  });

  it('keeps a user online while one of their tabs is still open on the other instance', async () => {
    const carol = await signUp(one, uniqueName('carol'));
    const watcher = await signUp(one, uniqueName('watch'));
    const w = await TestClient.connect(one, watcher.token);
    await w.request('presence.subscribe', { userIds: [carol.user.id] });
    const tabOne = await TestClient.connect(one, carol.token);
    const tabTwo = await TestClient.connect(two, carol.token);
    const wentOffline = (d: { offline: { userId: number }[] }) => d.offline.some((o) => o.userId === carol.user.id);
    await w.waitFor('presence.changed', (d) => d.online.includes(carol.user.id));
    await tabOne.close();
    // Longer than a presence batch (500 ms): a wrong "offline" would have gone out by now.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(w.all('presence.changed').filter(wentOffline)).toHaveLength(0);
    await tabTwo.close();
    await w.waitFor('presence.changed', wentOffline);
    await w.close();
  });

  it('takes the devices of a SIGKILLed instance out of their calls within seconds', async () => {
    // A third instance, so the two above stay up for the other tests.
    const three = await startInstance({ ...env, PYCHAT_INSTANCE_ID: 'three' });
    const alice = await signUp(one, uniqueName('alice'));
    const bob = await signUp(three, uniqueName('bob'));
    const a = await TestClient.connect(one, alice.token);
    const b = await TestClient.connect(three, bob.token);
    const { room } = await a.request('room.createDirect', { userId: bob.user.id });
    await b.waitFor('room.added', (d) => d.room.id === room.id);
    const { callId } = await a.request('call.start', { roomId: room.id, video: false });
    await b.waitFor('call.incoming', (d) => d.call.callId === callId);
    await b.request('call.join', { callId });
    await a.waitFor('call.joined', (d) => d.connId === b.ready.connectionId);

    const killedAt = Date.now();
    await three.kill();

    // No close handler ran on three: the other instances' sweep finds Bob's device unrefreshed (6 s + 2 s sweep).
    const left = await a.waitFor('call.left', (d) => d.connId === b.ready.connectionId, 15_000);
    expect(left).toMatchObject({ callId, userId: bob.user.id, reason: 'disconnected' });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect((await a.request('call.list', {})).calls[0]?.peers).toEqual([
      { userId: alice.user.id, connId: a.ready.connectionId },
    ]);
    await a.close();
  }, 40_000);
});
