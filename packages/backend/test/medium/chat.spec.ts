import { ALL_ROOM_ID, CLOSE_CODES } from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  connectedUser,
  createBackend,
  dialect,
  startServer,
  TestClient,
  type SharedBackend,
  type TestServer,
} from './harness';

describe(`chat over WebSocket (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  it('lets two users chat in the "all" room, the sender included in the fan-out', async () => {
    const alice = await connectedUser(server);
    const bob = await connectedUser(server);
    expect(alice.client.ready.rooms.map((r) => r.id)).toContain(ALL_ROOM_ID);

    const reply = await alice.client.request('message.send', {
      roomId: ALL_ROOM_ID,
      content: 'hello bob',
      localId: 'l1',
    });
    expect(reply.duplicate).toBe(false);
    expect(reply.message).toMatchObject({ roomId: ALL_ROOM_ID, senderId: alice.user.id, content: 'hello bob' });

    const atBob = await bob.client.waitFor('message.new', (d) => d.message.id === reply.message.id);
    expect(atBob.message.content).toBe('hello bob');
    const atAlice = await alice.client.waitFor('message.new', (d) => d.message.id === reply.message.id);
    expect(atAlice.localId).toBe('l1');

    await alice.client.close();
    await bob.client.close();
  });

  it('never duplicates a resent localId', async () => {
    const alice = await connectedUser(server);
    const first = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'once', localId: 'same' });
    const again = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'once', localId: 'same' });
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    const history = await alice.client.request('message.history', { roomId: ALL_ROOM_ID, limit: 100 });
    expect(history.messages.filter((m) => m.content === 'once' && m.senderId === alice.user.id)).toHaveLength(1);
    await alice.client.close();
  });
});

describe(`sign-out (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  it('ends every socket of the signed-out session with 4001, and only that session', async () => {
    const alice = await connectedUser(server);
    const secondTab = await TestClient.connect(server, alice.token);
    const signIn = await api<{ token: string }>(server, 'POST', '/api/auth/sign-in', {
      login: alice.user.username,
      password: 'secret-pw',
    });
    const phone = await TestClient.connect(server, signIn.body.token);

    const res = await api(server, 'POST', '/api/auth/sign-out', undefined, alice.token);
    expect(res.status).toBe(204);
    await alice.client.waitFor('session.ended');
    await secondTab.waitFor('session.ended');
    await expect.poll(() => alice.client.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    await expect.poll(() => secondTab.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    // The same user's other device keeps its session.
    await phone.settle();
    expect(phone.closed).toBeNull();
    expect(phone.all('session.ended')).toHaveLength(0);
    await phone.close();
  });
});

describe(`settings (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  it('saves my settings, tells my other tabs and nobody else, and keeps them for the next connection', async () => {
    const alice = await connectedUser(server);
    const otherTab = await TestClient.connect(server, alice.token);
    const bob = await connectedUser(server);
    const reply = await alice.client.request('settings.update', { theme: 'light', messageSound: false });
    expect(reply.settings).toMatchObject({ theme: 'light', messageSound: false, highlightCode: true });
    expect((await otherTab.waitFor('settings.updated')).settings.theme).toBe('light');
    await bob.client.settle();
    expect(bob.client.all('settings.updated')).toHaveLength(0);
    const later = await TestClient.connect(server, alice.token);
    expect(later.ready.settings).toMatchObject({ theme: 'light', messageSound: false });
    expect(await alice.client.requestError('settings.update', { theme: 'neon' })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    for (const client of [alice.client, otherTab, bob.client, later]) {
      await client.close();
    }
  });
});

describe(`a newcomer (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;

  beforeAll(async () => {
    backend = await createBackend();
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server.stop();
    await backend.drop();
  });

  it('can read the "all" room history, but none of it counts as unread', async () => {
    const old = await connectedUser(server);
    for (const n of [1, 2, 3]) {
      await old.client.request('message.send', { roomId: ALL_ROOM_ID, content: `before ${n}`, localId: `b${n}` });
    }
    const newcomer = await connectedUser(server);
    const state = newcomer.client.ready.states.find((s) => s.roomId === ALL_ROOM_ID);
    expect(state?.unread).toBe(0);
    const history = await newcomer.client.request('message.history', { roomId: ALL_ROOM_ID });
    expect(history.messages.map((m) => m.content)).toEqual(['before 1', 'before 2', 'before 3']);
    const after = await old.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'after', localId: 'a1' });
    await newcomer.client.waitFor('message.new', (d) => d.message.id === after.message.id);
    const again = await TestClient.connect(server, newcomer.token);
    expect(again.ready.states.find((s) => s.roomId === ALL_ROOM_ID)?.unread).toBe(1);
    for (const client of [old.client, newcomer.client, again]) {
      await client.close();
    }
  });
});
