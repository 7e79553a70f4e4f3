import { ALL_ROOM_ID, PROTOCOL_VERSION, type AuthResponse } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import {
  api,
  type ConnectedUser,
  dialect,
  settleAll,
  signUp,
  TEST_PASSWORD,
  TestClient,
  useTestServer,
} from './harness';

type User = ConnectedUser;

describe(`presence, typing and users (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();

  async function connect(token: string): Promise<TestClient> {
    return medium.connect(token);
  }

  describe('session.ready', () => {
    it('is the first frame of every connection, and only that connection gets it', async () => {
      const bob = await user();
      const alice = await signUp(medium.server);
      const aliceClient = await connect(alice.token);

      expect(aliceClient.frames[0].type).toBe('session.ready');
      const ready = aliceClient.ready;
      expect(ready.protocolVersion).toBe(PROTOCOL_VERSION);
      expect(ready.me).toMatchObject({ id: alice.user.id, username: alice.user.username });
      expect(ready.users.map((u) => u.id)).toEqual(expect.arrayContaining([alice.user.id, bob.user.id]));
      expect(ready.rooms.map((r) => r.id)).toEqual([ALL_ROOM_ID]);
      expect(ready.states).toEqual([expect.objectContaining({ roomId: ALL_ROOM_ID })]);
      expect(ready.online).toEqual(expect.arrayContaining([alice.user.id, bob.user.id]));

      await settleAll(bob.client, aliceClient);
      expect(bob.client.all('session.ready')).toHaveLength(1);
      expect(aliceClient.all('session.ready')).toHaveLength(1);
      // A second tab gets its own snapshot and its own connection id.
      const tab2 = await connect(alice.token);
      expect(tab2.ready.connectionId).not.toBe(ready.connectionId);
      await settleAll(aliceClient);
      expect(aliceClient.all('session.ready')).toHaveLength(1);
    });
  });

  const cameOnline = (userId: number) => (d: { online: number[] }) => d.online.includes(userId);
  const wentOffline = (userId: number) => (d: { offline: { userId: number }[] }) =>
    d.offline.some((o) => o.userId === userId);

  describe('presence.changed: online', () => {
    it("goes to everyone connected on a user's first socket only", async () => {
      const bob = await user();
      const carol = await user();
      const alice = await signUp(medium.server);

      const tab1 = await connect(alice.token);
      for (const watcher of [bob.client, carol.client]) {
        expect((await watcher.waitFor('presence.changed', cameOnline(alice.user.id))).offline).toEqual([]);
      }
      const tab2 = await connect(alice.token);
      expect(tab2.ready.online).toContain(alice.user.id);
      await settleAll(bob.client, carol.client, tab1, tab2);
      // The second tab is not news: nobody hears alice come online twice.
      for (const watcher of [bob.client, carol.client, tab1]) {
        expect(watcher.all('presence.changed').filter(cameOnline(alice.user.id))).toHaveLength(1);
      }
      expect(tab2.all('presence.changed').filter(cameOnline(alice.user.id))).toEqual([]);
    });

    it('announces users who connect together in one frame', async () => {
      const bob = await user();
      const [alice, carol] = await Promise.all([signUp(medium.server), signUp(medium.server)]);
      const mark = bob.client.frames.length;

      await Promise.all([connect(alice.token), connect(carol.token)]);
      await bob.client.waitFor('presence.changed', cameOnline(carol.user.id));
      await bob.client.waitFor('presence.changed', cameOnline(alice.user.id));
      await settleAll(bob.client);

      const batches = bob.client.frames.slice(mark).filter((f) => f.type === 'presence.changed');
      // 20 ms batches in the tests: two connects finishing together usually share one; never more than two.
      expect(batches.length).toBeLessThanOrEqual(2);
      const announced = batches.flatMap((f) => (f.type === 'presence.changed' ? f.data.online : []));
      expect(announced.sort()).toEqual([alice.user.id, carol.user.id].sort());
    });
  });

  describe('presence.changed: offline', () => {
    it('goes to everyone when the last socket closes, not before, and records lastSeenAt', async () => {
      const bob = await user();
      const alice = await signUp(medium.server);
      const tab1 = await connect(alice.token);
      const tab2 = await connect(alice.token);

      await tab1.close();
      await settleAll(bob.client, tab2);
      expect(bob.client.all('presence.changed').filter(wentOffline(alice.user.id))).toEqual([]);
      expect((await user()).client.ready.online).toContain(alice.user.id);

      const before = Date.now();
      await tab2.close();
      const changed = await bob.client.waitFor('presence.changed', wentOffline(alice.user.id));
      const offline = changed.offline.find((o) => o.userId === alice.user.id);
      expect(offline?.lastSeenAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(offline?.lastSeenAt).toBeLessThanOrEqual(Date.now() + 1_000);

      const later = (await user()).client.ready;
      expect(later.online).not.toContain(alice.user.id);
      expect(later.users.find((u) => u.id === alice.user.id)?.lastSeenAt).toBe(offline?.lastSeenAt);
      await settleAll(bob.client);
      expect(bob.client.all('presence.changed').filter(wentOffline(alice.user.id))).toHaveLength(1);
    });

    it('leaves lastSeenAt null for a user never seen, and my own null while I am connected', async () => {
      const bob = await user();
      const ghost = await signUp(medium.server);
      expect(bob.client.ready.me.lastSeenAt).toBeNull();
      expect((await user()).client.ready.users.find((u) => u.id === ghost.user.id)?.lastSeenAt).toBeNull();

      const alice = await signUp(medium.server);
      const first = await connect(alice.token);
      await first.close();
      await bob.client.waitFor('presence.changed', wentOffline(alice.user.id));

      const back = await connect(alice.token);
      await bob.client.waitFor('presence.changed', cameOnline(alice.user.id));
      // Online wins over "last seen": clients show last seen only for users not in the online list.
      expect((await user()).client.ready.online).toContain(alice.user.id);
      expect(back.ready.me.lastSeenAt).toBeNull();
    });
  });

  describe('session.ready: the user directory', () => {
    it('is whole without usersSince, and only the users created since then with it', async () => {
      const bob = await user();
      const since = bob.client.ready.serverTime;
      const newcomer = await signUp(medium.server);

      const full = await connect(bob.token);
      expect(full.ready.usersSince).toBeNull();
      expect(full.ready.users.map((u) => u.id)).toEqual(expect.arrayContaining([bob.user.id, newcomer.user.id]));

      // Reaches back a minute for clock differences between instances, so compare with an older user.
      const old = await signUp(medium.server);
      const delta = await medium.connect(bob.token, { usersSince: since + 120_000 });
      expect(delta.ready.usersSince).toBe(since + 120_000);
      expect(delta.ready.users).toEqual([]);
      const recent = await medium.connect(bob.token, { usersSince: since });
      expect(recent.ready.users.map((u) => u.id)).toEqual(expect.arrayContaining([newcomer.user.id, old.user.id]));
      expect(recent.ready.users[0]).not.toHaveProperty('email');
    });
  });

  describe('typing.started', () => {
    it('reaches the other members of the room, not the typist nor outsiders', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const aliceTab2 = await connect(alice.token);
      const bobTab2 = await connect(bob.token);
      const { room } = await alice.client.request('channel.create', { name: 'typing', userIds: [bob.user.id] });
      await bob.client.waitFor('room.added', (d) => d.room.id === room.id);

      expect(await alice.client.request('typing.start', { roomId: room.id })).toEqual({});
      for (const tab of [bob.client, bobTab2]) {
        expect(await tab.waitFor('typing.started', (d) => d.roomId === room.id)).toEqual({
          roomId: room.id,
          userId: alice.user.id,
        });
      }
      await settleAll(alice.client, aliceTab2, carol.client);
      // Not even the typist's other tab: "alice is typing" is never shown to alice.
      expect(alice.client.all('typing.started').filter((d) => d.roomId === room.id)).toEqual([]);
      expect(aliceTab2.all('typing.started').filter((d) => d.roomId === room.id)).toEqual([]);
      expect(carol.client.all('typing.started').filter((d) => d.roomId === room.id)).toEqual([]);

      expect((await carol.client.requestError('typing.start', { roomId: room.id })).code).toBe('ROOM_NOT_FOUND');
      await settleAll(bob.client);
      expect(bob.client.all('typing.started').filter((d) => d.userId === carol.user.id)).toEqual([]);
    });
  });

  describe('user.created', () => {
    it('announces a new account to everyone connected, and never again on sign-in', async () => {
      const bob = await user();
      const carol = await user();
      const dave = await signUp(medium.server);

      for (const watcher of [bob.client, carol.client]) {
        const created = await watcher.waitFor('user.created', (d) => d.user.id === dave.user.id);
        expect(created.user).toEqual({ ...dave.user, lastSeenAt: null });
      }
      const signIn = await api<AuthResponse>(medium.server, 'POST', '/api/auth/sign-in', {
        login: dave.user.username,
        password: TEST_PASSWORD,
      });
      expect(signIn.status).toBe(200);
      await connect(signIn.body.token);
      await settleAll(bob.client, carol.client);
      for (const watcher of [bob.client, carol.client]) {
        expect(watcher.all('user.created').filter((d) => d.user.id === dave.user.id)).toHaveLength(1);
      }
      // Someone who connects later finds the user in session.ready instead.
      expect((await user()).client.ready.users.map((u) => u.id)).toContain(dave.user.id);
    });
  });
});
