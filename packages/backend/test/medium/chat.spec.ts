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
