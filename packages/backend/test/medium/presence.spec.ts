import { ALL_ROOM_ID, LIMITS, PROTOCOL_VERSION, type AuthResponse } from '@pychat/protocol';
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
  useTwoInstances,
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
      // Protocol v3: no online list, whose size grew with everyone connected (presence.subscribe instead).
      expect(ready).not.toHaveProperty('online');

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

  /** Subscribes a socket to these users and returns the reply (their presence now). */
  const follow = (client: TestClient, ...userIds: number[]) => client.request('presence.subscribe', { userIds });
  const onlineNow = async (userId: number) => (await follow((await user()).client, userId)).online;

  describe('presence.subscribe', () => {
    it('answers with the state of the users named: online ones, and when the others were last seen', async () => {
      const bob = await user();
      const ghost = await signUp(medium.server);
      const alice = await signUp(medium.server);
      const tab = await connect(alice.token);
      await tab.close();
      await bob.client.settle();

      await expect
        .poll(async () => (await follow(bob.client, alice.user.id)).offline[0]?.lastSeenAt ?? null)
        .not.toBeNull();
      expect(await follow(bob.client, bob.user.id, ghost.user.id)).toEqual({
        online: [bob.user.id],
        offline: [{ userId: ghost.user.id, lastSeenAt: null }],
      });
    });

    it(`refuses more than ${LIMITS.presenceSubscribeMax} users, keeping the previous subscription`, async () => {
      const bob = await user();
      const alice = await signUp(medium.server);
      await follow(bob.client, alice.user.id);
      const tooMany = Array.from({ length: LIMITS.presenceSubscribeMax + 1 }, (_, i) => i + 1);

      expect((await bob.client.requestError('presence.subscribe', { userIds: tooMany })).code).toBe(
        'VALIDATION_FAILED',
      );
      // The refused frame changed nothing: bob still follows alice.
      await connect(alice.token);
      await bob.client.waitFor('presence.changed', cameOnline(alice.user.id));
      // Exactly the limit is fine.
      expect((await follow(bob.client, ...tooMany.slice(1))).online).toContain(bob.user.id);
    });
  });

  describe('presence.changed: online', () => {
    it("goes to the user's subscribers on the user's first socket only, and to nobody else", async () => {
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const alice = await signUp(medium.server);
      await follow(bob.client, alice.user.id);
      await follow(carol.client, alice.user.id, bob.user.id);
      await follow(dave.client, bob.user.id, carol.user.id);

      const tab1 = await connect(alice.token);
      for (const watcher of [bob.client, carol.client]) {
        expect(await watcher.waitFor('presence.changed', cameOnline(alice.user.id))).toEqual({
          online: [alice.user.id],
          offline: [],
        });
      }
      const tab2 = await connect(alice.token);
      expect(await onlineNow(alice.user.id)).toEqual([alice.user.id]);
      await settleAll(bob.client, carol.client, dave.client, tab1, tab2);
      // The second tab is not news: nobody hears alice come online twice.
      for (const watcher of [bob.client, carol.client]) {
        expect(watcher.all('presence.changed').filter(cameOnline(alice.user.id))).toHaveLength(1);
      }
      // Dave shows bob and carol only: alice's connects cost him nothing.
      expect(dave.client.all('presence.changed')).toEqual([]);
      expect(tab1.all('presence.changed')).toEqual([]);
    });

    it('announces followed users who connect together in one frame', async () => {
      const bob = await user();
      const [alice, carol] = await Promise.all([signUp(medium.server), signUp(medium.server)]);
      await follow(bob.client, alice.user.id, carol.user.id);
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
    it('goes to subscribers when the last socket closes, not before, and records lastSeenAt', async () => {
      const bob = await user();
      const alice = await signUp(medium.server);
      const tab1 = await connect(alice.token);
      const tab2 = await connect(alice.token);
      await follow(bob.client, alice.user.id);

      await tab1.close();
      await settleAll(bob.client, tab2);
      expect(bob.client.all('presence.changed').filter(wentOffline(alice.user.id))).toEqual([]);
      expect(await onlineNow(alice.user.id)).toEqual([alice.user.id]);

      const before = Date.now();
      await tab2.close();
      const changed = await bob.client.waitFor('presence.changed', wentOffline(alice.user.id));
      const offline = changed.offline.find((o) => o.userId === alice.user.id);
      expect(offline?.lastSeenAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(offline?.lastSeenAt).toBeLessThanOrEqual(Date.now() + 1_000);

      const later = await follow((await user()).client, alice.user.id);
      expect(later).toEqual({ online: [], offline: [{ userId: alice.user.id, lastSeenAt: offline?.lastSeenAt }] });
      await settleAll(bob.client);
      expect(bob.client.all('presence.changed').filter(wentOffline(alice.user.id))).toHaveLength(1);
    });

    it('leaves lastSeenAt null for a user never seen, and my own null while I am connected', async () => {
      const bob = await user();
      const ghost = await signUp(medium.server);
      expect(bob.client.ready.me.lastSeenAt).toBeNull();
      expect((await user()).client.ready.users.find((u) => u.id === ghost.user.id)?.lastSeenAt).toBeNull();

      const alice = await signUp(medium.server);
      await follow(bob.client, alice.user.id);
      const first = await connect(alice.token);
      await first.close();
      await bob.client.waitFor('presence.changed', wentOffline(alice.user.id));

      const back = await connect(alice.token);
      await bob.client.waitFor('presence.changed', cameOnline(alice.user.id));
      // Online wins over "last seen": clients show last seen only for users not online.
      expect(await onlineNow(alice.user.id)).toEqual([alice.user.id]);
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

describe(`presence across two instances (${dialect})`, () => {
  const instances = useTwoInstances();

  it('reaches a subscriber on the other instance, and no socket there that does not follow the user', async () => {
    const bob = await signUp(instances.second);
    const carol = await signUp(instances.second);
    const alice = await signUp(instances.first);
    const bobSocket = await TestClient.connect(instances.second, bob.token);
    const carolSocket = await TestClient.connect(instances.second, carol.token);
    instances.track(bobSocket, carolSocket);
    expect(await bobSocket.request('presence.subscribe', { userIds: [alice.user.id] })).toEqual({
      online: [],
      offline: [{ userId: alice.user.id, lastSeenAt: null }],
    });
    await carolSocket.request('presence.subscribe', { userIds: [bob.user.id] });

    const aliceSocket = await TestClient.connect(instances.first, alice.token);
    instances.track(aliceSocket);
    expect(await bobSocket.waitFor('presence.changed', (d) => d.online.includes(alice.user.id))).toEqual({
      online: [alice.user.id],
      offline: [],
    });
    await aliceSocket.close();
    await bobSocket.waitFor('presence.changed', (d) => d.offline.some((o) => o.userId === alice.user.id));
    await settleAll(carolSocket);
    // Carol follows bob only: bob's own coming online may still reach her, alice's changes never.
    const aboutAlice = carolSocket
      .all('presence.changed')
      .filter((d) => d.online.includes(alice.user.id) || d.offline.some((o) => o.userId === alice.user.id));
    expect(aboutAlice).toEqual([]);
  });
});
