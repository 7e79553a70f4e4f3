import { describe, expect, it } from 'vitest';
import {
  type ConnectedUser,
  dialect,
  settleAll,
  signUp,
  type TestClient,
  TestClient as Client,
  type TestServer,
  useTestServer,
  useTwoInstances,
} from './harness';

/** Long enough that two connects in a row land in one window even on a loaded machine. */
const WINDOW_MS = 2_000;
const env = { PYCHAT_ROOM_ONLINE_MS: String(WINDOW_MS) };

type Auth = Awaited<ReturnType<typeof signUp>>;

/** A channel of `owner` with these members (signed up, not necessarily connected): its main room's id. */
async function channelOf(owner: ConnectedUser | { client: TestClient }, ...members: Auth[]) {
  const { room, channel } = await owner.client.request('channel.create', {
    name: `c${Math.random().toString(36).slice(2, 10)}`,
    userIds: members.map((m) => m.user.id),
  });
  return { roomId: room.id, channelId: channel.id };
}

async function roomOf(owner: ConnectedUser | { client: TestClient }, ...members: Auth[]): Promise<number> {
  return (await channelOf(owner, ...members)).roomId;
}

const countsOf = (client: TestClient, roomId: number) => client.all('room.online').filter((d) => d.roomId === roomId);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`room.online (${dialect})`, () => {
  const medium = useTestServer(env);

  it("gives a member who shows the room its count, then one frame per window with the window's final count", async () => {
    const alice = await medium.user();
    const [bob, carol, dave] = await Promise.all([signUp(medium.server), signUp(medium.server), signUp(medium.server)]);
    const roomId = await roomOf(alice, bob, carol, dave);

    const reply = await alice.client.request('presence.subscribe', { userIds: [], roomIds: [roomId] });
    expect(reply.rooms).toEqual([{ roomId, online: 1 }]);

    // Two members come online within one window: one frame, with both counted.
    const bobSocket = await medium.connect(bob.token);
    await medium.connect(carol.token);
    // A second tab of a user already online changes nothing.
    await medium.connect(bob.token);
    expect(await alice.client.waitFor('room.online', (d) => d.roomId === roomId, 3 * WINDOW_MS)).toEqual({
      roomId,
      online: 3,
    });
    await sleep(WINDOW_MS * 1.5);
    await alice.client.settle();
    expect(countsOf(alice.client, roomId)).toEqual([{ roomId, online: 3 }]);

    // Going offline: only when a user's last socket closes.
    await bobSocket.close();
    await medium.connect(dave.token);
    const next = await alice.client.waitFor('room.online', (d) => d.roomId === roomId && d.online !== 3, 3 * WINDOW_MS);
    expect(next).toEqual({ roomId, online: 4 });
  });

  it('tells a socket that is not a member nothing, and a member that does not show the room nothing', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const eve = await medium.user();
    const carol = await signUp(medium.server);
    const roomId = await roomOf(alice, bob, carol);
    await bob.client.waitFor('room.added', (d) => d.room.id === roomId);

    // A non-member learns neither the count nor that the room exists: the same answer as a made-up id.
    expect((await eve.client.request('presence.subscribe', { userIds: [], roomIds: [roomId] })).rooms).toEqual([]);
    expect(
      (await eve.client.request('presence.subscribe', { userIds: [], roomIds: [roomId, 9_999_999] })).rooms,
    ).toEqual([]);
    await alice.client.request('presence.subscribe', { userIds: [], roomIds: [roomId] });
    await bob.client.request('presence.subscribe', { userIds: [carol.user.id] });

    await medium.connect(carol.token);
    await alice.client.waitFor('room.online', (d) => d.roomId === roomId && d.online === 3, 3 * WINDOW_MS);
    await settleAll(eve.client, bob.client);
    expect(countsOf(eve.client, roomId)).toEqual([]);
    expect(countsOf(bob.client, roomId)).toEqual([]);
  });

  it('stops with a leave, even for a socket that still names the room', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const carol = await signUp(medium.server);
    const { roomId, channelId } = await channelOf(alice, bob, carol);
    await bob.client.waitFor('room.added', (d) => d.room.id === roomId);
    await bob.client.request('presence.subscribe', { userIds: [], roomIds: [roomId] });
    await alice.client.request('presence.subscribe', { userIds: [], roomIds: [roomId] });

    await bob.client.request('channel.leave', { channelId });
    await medium.connect(carol.token);
    // Bob's leave and carol's connect: alice sees 2 (herself and carol).
    expect(await alice.client.waitFor('room.online', (d) => d.roomId === roomId, 3 * WINDOW_MS)).toEqual({
      roomId,
      online: 2,
    });
    await bob.client.settle();
    expect(countsOf(bob.client, roomId)).toEqual([]);
  });
});

describe(`room.online across instances (${dialect})`, () => {
  const instances = useTwoInstances(env);

  async function connect(server: TestServer, token: string): Promise<TestClient> {
    const client = await Client.connect(server, token);
    instances.track(client);
    return client;
  }

  it('sums the instances, and one window of changes on both gives each viewer one frame', async () => {
    const [alice, bob, carol, dave] = await Promise.all(
      [instances.first, instances.second, instances.first, instances.second].map((server) => signUp(server)),
    );
    const aliceSocket = await connect(instances.first, alice.token);
    const roomId = await roomOf({ client: aliceSocket }, bob, carol, dave);
    const bobSocket = await connect(instances.second, bob.token);
    for (const viewer of [aliceSocket, bobSocket]) {
      await viewer.request('presence.subscribe', { userIds: [], roomIds: [roomId] });
    }
    // Bob's own connect may still be announced: wait for the count with him, then start from a quiet room.
    await aliceSocket.waitFor('room.online', (d) => d.roomId === roomId && d.online === 2, 3 * WINDOW_MS);
    await sleep(WINDOW_MS * 1.5);
    const before = [aliceSocket, bobSocket].map((v) => countsOf(v, roomId).length);

    // Carol comes online on the first instance, dave on the second, in the same window.
    await connect(instances.first, carol.token);
    await connect(instances.second, dave.token);
    for (const viewer of [aliceSocket, bobSocket]) {
      expect(await viewer.waitFor('room.online', (d) => d.roomId === roomId && d.online === 4, 3 * WINDOW_MS)).toEqual({
        roomId,
        online: 4,
      });
    }
    await sleep(WINDOW_MS * 1.5);
    await settleAll(aliceSocket, bobSocket);
    expect([aliceSocket, bobSocket].map((v, i) => countsOf(v, roomId).slice(before[i]))).toEqual([
      [{ roomId, online: 4 }],
      [{ roomId, online: 4 }],
    ]);
  });
});
