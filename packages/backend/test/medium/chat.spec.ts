import { ALL_ROOM_ID, CLOSE_CODES } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { api, dialect, useTestServer } from './harness';

describe(`chat over WebSocket (${dialect})`, () => {
  const medium = useTestServer();

  it('lets two users chat in the "all" room, the sender included in the fan-out', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
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
  });

  it('never duplicates a resent localId', async () => {
    const alice = await medium.user();
    const first = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'once', localId: 'same' });
    const again = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'once', localId: 'same' });
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    const history = await alice.client.request('message.history', { roomId: ALL_ROOM_ID, limit: 100 });
    expect(history.messages.filter((m) => m.content === 'once' && m.senderId === alice.user.id)).toHaveLength(1);
  });
});

describe(`sign-out (${dialect})`, () => {
  const medium = useTestServer();

  it('ends every socket of the signed-out session with 4001, and only that session', async () => {
    const alice = await medium.user();
    const secondTab = await medium.connect(alice.token);
    const signIn = await api<{ token: string }>(medium.server, 'POST', '/api/auth/sign-in', {
      login: alice.user.username,
      password: 'secret-pw',
    });
    const phone = await medium.connect(signIn.body.token);

    const res = await api(medium.server, 'POST', '/api/auth/sign-out', undefined, alice.token);
    expect(res.status).toBe(204);
    await alice.client.waitFor('session.ended');
    await secondTab.waitFor('session.ended');
    await expect.poll(() => alice.client.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    await expect.poll(() => secondTab.closed?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    // The same user's other device keeps its session.
    await phone.settle();
    expect(phone.closed).toBeNull();
    expect(phone.all('session.ended')).toHaveLength(0);
  });
});

describe(`settings (${dialect})`, () => {
  const medium = useTestServer();

  it('saves my settings, tells my other tabs and nobody else, and keeps them for the next connection', async () => {
    const alice = await medium.user();
    const otherTab = await medium.connect(alice.token);
    const bob = await medium.user();
    const reply = await alice.client.request('settings.update', { theme: 'light', messageSound: false });
    expect(reply.settings).toMatchObject({ theme: 'light', messageSound: false, highlightCode: true });
    expect((await otherTab.waitFor('settings.updated')).settings.theme).toBe('light');
    await bob.client.settle();
    expect(bob.client.all('settings.updated')).toHaveLength(0);
    const later = await medium.connect(alice.token);
    expect(later.ready.settings).toMatchObject({ theme: 'light', messageSound: false });
    expect(await alice.client.requestError('settings.update', { theme: 'neon' })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe(`a newcomer (${dialect})`, () => {
  const medium = useTestServer();

  it('can read the "all" room history, but none of it counts as unread', async () => {
    const old = await medium.user();
    for (const n of [1, 2, 3]) {
      await old.client.request('message.send', { roomId: ALL_ROOM_ID, content: `before ${n}`, localId: `b${n}` });
    }
    const newcomer = await medium.user();
    const state = newcomer.client.ready.states.find((s) => s.roomId === ALL_ROOM_ID);
    expect(state?.unread).toBe(0);
    const history = await newcomer.client.request('message.history', { roomId: ALL_ROOM_ID });
    expect(history.messages.map((m) => m.content)).toEqual(['before 1', 'before 2', 'before 3']);
    const after = await old.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'after', localId: 'a1' });
    await newcomer.client.waitFor('message.new', (d) => d.message.id === after.message.id);
    const again = await medium.connect(newcomer.token);
    expect(again.ready.states.find((s) => s.roomId === ALL_ROOM_ID)?.unread).toBe(1);
  });
});
