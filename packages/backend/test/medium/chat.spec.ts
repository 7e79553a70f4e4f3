import { ALL_ROOM_ID } from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedUser, createBackend, dialect, startServer, type SharedBackend, type TestServer } from './harness';

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
