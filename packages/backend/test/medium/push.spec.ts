import { ALL_CHANNEL_ID, ALL_ROOM_ID, type PushKeyResponse } from '@pychat/protocol';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushStandIn } from '../push-stand-in';
import {
  api,
  connectedUser,
  dialect,
  signUp,
  TestClient,
  useTestServer,
  useTwoInstances,
  type ConnectedUser,
  type TestServer,
} from './harness';

const VAPID = webpush.generateVAPIDKeys();
const PUSH_ENV = {
  PYCHAT_PUSH_ALLOW_LOOPBACK: 'true',
  PYCHAT_VAPID_PUBLIC_KEY: VAPID.publicKey,
  PYCHAT_VAPID_PRIVATE_KEY: VAPID.privateKey,
  PYCHAT_VAPID_SUBJECT: 'mailto:ops@pychat.test',
};

let pushService: PushStandIn;
beforeAll(async () => {
  pushService = await new PushStandIn().start();
});
afterAll(async () => {
  await pushService.stop();
});

async function subscribe(server: TestServer, token: string, preview = true) {
  const subscription = pushService.subscription();
  const res = await api(server, 'POST', '/api/push/subscriptions', { ...subscription, preview }, token);
  expect(res.status).toBe(204);
  return subscription;
}

async function subscriptionRows(server: TestServer, endpoint: string): Promise<number> {
  const rows = (await server.pychat.dataSource.query(
    'SELECT COUNT(*) AS n FROM push_subscriptions WHERE endpoint = ?',
    [endpoint],
  )) as { n: number | string }[];
  return Number(rows[0]?.n);
}

async function send(from: ConnectedUser, roomId: number, content: string, mentions?: number[]) {
  return from.client.request('message.send', {
    roomId,
    content,
    localId: `l${Math.random()}`,
    ...(mentions ? { mentions } : {}),
  });
}

describe(`Web Push (${dialect})`, () => {
  const ctx = useTestServer(PUSH_ENV);

  it('hands out the VAPID public key to signed-in users only', async () => {
    const alice = await signUp(ctx.server);
    expect(await api<PushKeyResponse>(ctx.server, 'GET', '/api/push/key', undefined, alice.token)).toEqual({
      status: 200,
      body: { publicKey: VAPID.publicKey },
    });
    expect((await api(ctx.server, 'GET', '/api/push/key')).status).toBe(401);
  });

  it('a message to an offline member reaches their browser encrypted, with room, sender and text; an online member gets none', async () => {
    const alice = await ctx.user();
    const online = await ctx.user();
    const bob = await signUp(ctx.server);
    const bobSub = await subscribe(ctx.server, bob.token);
    const onlineSub = await subscribe(ctx.server, online.token);
    const { room } = await alice.client.request('room.create', {
      channelId: ALL_CHANNEL_ID,
      name: 'ops',
      userIds: [bob.user.id, online.user.id],
    });

    const { message } = await send(alice, room.id, 'the build is green');
    await ctx.server.pychat.pushIdle();

    expect(pushService.rejected).toEqual([]);
    expect(pushService.payloadsFor(bobSub.endpoint)).toEqual([
      {
        v: 1,
        type: 'message',
        roomId: room.id,
        messageId: message.id,
        senderId: alice.user.id,
        roomName: 'ops',
        senderName: alice.user.username,
        text: 'the build is green',
        mentioned: false,
      },
    ]);
    const push = pushService.received.find((r) => bobSub.endpoint.endsWith(r.path))!;
    expect(push.vapid).toMatchObject({
      aud: new URL(bobSub.endpoint).origin,
      sub: 'mailto:ops@pychat.test',
      publicKey: VAPID.publicKey,
    });
    expect(push.vapid.exp * 1000).toBeGreaterThan(Date.now());
    expect(push.headers).toMatchObject({ 'content-encoding': 'aes128gcm', topic: `room-${room.id}` });
    expect(pushService.payloadsFor(onlineSub.endpoint)).toEqual([]);
  });

  it('with "no preview" the push carries ids only', async () => {
    const alice = await ctx.user();
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token, false);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });

    const { message } = await send(alice, room.id, 'secret plans');
    await ctx.server.pychat.pushIdle();

    expect(pushService.payloadsFor(sub.endpoint)).toEqual([
      { v: 1, type: 'message', roomId: room.id, messageId: message.id, senderId: alice.user.id, mentioned: false },
    ]);
  });

  it('respects the room notifications switch, and in the "all" room pushes mentions only', async () => {
    const alice = await ctx.user();
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
    const bobSocket = await ctx.connect(bob.token);
    await bobSocket.request('room.updateSettings', { roomId: room.id, notifications: false });
    await alice.client.request('presence.subscribe', { userIds: [bob.user.id] });
    await bobSocket.close();
    // Bob's socket is gone once the presence registry says so.
    await alice.client.waitFor('presence.changed', (d) => d.offline.some((o) => o.userId === bob.user.id));

    await send(alice, room.id, 'muted room');
    await send(alice, ALL_ROOM_ID, 'hello everyone');
    const { message } = await send(alice, ALL_ROOM_ID, `hi @${bob.user.username}`, [bob.user.id]);
    await ctx.server.pychat.pushIdle();

    expect(pushService.payloadsFor(sub.endpoint)).toEqual([
      expect.objectContaining({ roomId: ALL_ROOM_ID, messageId: message.id, mentioned: true }),
    ]);
  });

  it('a member on do-not-disturb gets no push, not even for a mention; back to available, they do', async () => {
    const alice = await ctx.user();
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
    await alice.client.request('presence.subscribe', { userIds: [bob.user.id] });
    const bobSocket = await ctx.connect(bob.token);
    await bobSocket.request('status.set', { status: 'dnd' });
    await bobSocket.close();
    await alice.client.waitFor('presence.changed', (d) => d.offline.some((o) => o.userId === bob.user.id));

    await send(alice, room.id, `quiet please @${bob.user.username}`, [bob.user.id]);
    await alice.client.request('call.start', { roomId: room.id, video: false });
    await ctx.server.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toEqual([]);

    const again = await ctx.connect(bob.token);
    await again.request('status.set', { status: 'available' });
    const seen = new Set(alice.client.all('presence.changed'));
    await again.close();
    await alice.client.waitFor(
      'presence.changed',
      (d) => !seen.has(d) && d.offline.some((o) => o.userId === bob.user.id),
    );
    const { message } = await send(alice, room.id, 'now you may hear');
    await ctx.server.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toEqual([expect.objectContaining({ messageId: message.id })]);
  });

  it('a call started in a room rings the offline member through a push', async () => {
    const alice = await ctx.user();
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });

    const { callId } = await alice.client.request('call.start', { roomId: room.id, video: false });
    await ctx.server.pychat.pushIdle();
    await alice.client.request('call.leave', { callId });

    expect(pushService.payloadsFor(sub.endpoint)).toEqual([
      { v: 1, type: 'call', roomId: room.id, senderId: alice.user.id, roomName: null, senderName: alice.user.username },
    ]);
  });

  it('a subscription the push service calls gone (410) is deleted', async () => {
    const alice = await ctx.user();
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);
    pushService.status.set(new URL(sub.endpoint).pathname, 410);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });

    await send(alice, room.id, 'one');
    await ctx.server.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toHaveLength(1);
    expect(await subscriptionRows(ctx.server, sub.endpoint)).toBe(0);

    await send(alice, room.id, 'two');
    await ctx.server.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toHaveLength(1);
  });

  it("nobody can delete another user's subscription; its owner can", async () => {
    const bob = await signUp(ctx.server);
    const mallory = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);

    const res = await api(ctx.server, 'DELETE', '/api/push/subscriptions', { endpoint: sub.endpoint }, mallory.token);
    expect(res).toEqual({ status: 404, body: expect.objectContaining({ code: 'NOT_FOUND' }) });
    expect(await subscriptionRows(ctx.server, sub.endpoint)).toBe(1);

    const own = await api(ctx.server, 'DELETE', '/api/push/subscriptions', { endpoint: sub.endpoint }, bob.token);
    expect(own.status).toBe(204);
    expect(await subscriptionRows(ctx.server, sub.endpoint)).toBe(0);
  });

  it('signing out deletes the subscriptions of that session', async () => {
    const bob = await signUp(ctx.server);
    const sub = await subscribe(ctx.server, bob.token);
    expect((await api(ctx.server, 'POST', '/api/auth/sign-out', undefined, bob.token)).status).toBe(204);
    expect(await subscriptionRows(ctx.server, sub.endpoint)).toBe(0);
  });

  it('refuses endpoints that are not https on a public host, and keys that are not a P-256 point', async () => {
    const bob = await signUp(ctx.server);
    const keys = pushService.subscription().keys;
    for (const endpoint of [
      'http://push.example.com/x',
      'https://10.1.2.3/x',
      'https://push.example.com:8443/x',
      'ftp://push.example.com/x',
    ]) {
      const res = await api(ctx.server, 'POST', '/api/push/subscriptions', { endpoint, keys }, bob.token);
      expect({ endpoint, status: res.status, body: res.body }).toEqual({
        endpoint,
        status: 400,
        body: expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      });
    }
    const offCurve = {
      p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url'),
      auth: keys.auth,
    };
    const bad = await api(
      ctx.server,
      'POST',
      '/api/push/subscriptions',
      { endpoint: 'https://push.example.com/x', keys: offCurve },
      bob.token,
    );
    expect(bad).toEqual({ status: 400, body: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
    const ok = await api(
      ctx.server,
      'POST',
      '/api/push/subscriptions',
      { endpoint: 'https://push.example.com/x', keys },
      bob.token,
    );
    expect(ok.status).toBe(204);
  });
});

describe(`Web Push subscriptions without the loopback allowance (${dialect})`, () => {
  const ctx = useTestServer({
    PYCHAT_VAPID_PUBLIC_KEY: VAPID.publicKey,
    PYCHAT_VAPID_PRIVATE_KEY: VAPID.privateKey,
    PYCHAT_PUSH_MAX_PER_USER: '2',
  });

  async function ownerOf(endpoint: string): Promise<number[]> {
    const rows = (await ctx.server.pychat.dataSource.query(
      'SELECT user_id FROM push_subscriptions WHERE endpoint = ?',
      [endpoint],
    )) as { user_id: number | string }[];
    return rows.map((r) => Number(r.user_id));
  }

  it('keeps PYCHAT_PUSH_MAX_PER_USER subscriptions per user, dropping the oldest', async () => {
    const bob = await signUp(ctx.server);
    const keys = pushService.subscription().keys;
    const endpoints = ['a', 'b', 'c'].map((n) => `https://push.example.com/${n}-${bob.user.id}`);
    for (const endpoint of endpoints) {
      expect((await api(ctx.server, 'POST', '/api/push/subscriptions', { endpoint, keys }, bob.token)).status).toBe(
        204,
      );
    }
    expect(await Promise.all(endpoints.map(ownerOf))).toEqual([[], [bob.user.id], [bob.user.id]]);
  });

  it('an endpoint registered by another account moves to it: the browser is theirs now', async () => {
    const bob = await signUp(ctx.server);
    const carol = await signUp(ctx.server);
    const body = { endpoint: `https://push.example.com/shared-${bob.user.id}`, keys: pushService.subscription().keys };
    await api(ctx.server, 'POST', '/api/push/subscriptions', body, bob.token);
    await api(ctx.server, 'POST', '/api/push/subscriptions', body, carol.token);
    expect(await ownerOf(body.endpoint)).toEqual([carol.user.id]);
  });

  it('refuses a loopback endpoint', async () => {
    const bob = await signUp(ctx.server);
    const res = await api(ctx.server, 'POST', '/api/push/subscriptions', pushService.subscription(), bob.token);
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
  });
});

describe(`Web Push with two instances (${dialect})`, () => {
  const instances = useTwoInstances(PUSH_ENV);

  it('a user online on the other instance gets no push; once offline everywhere, they do', async () => {
    const alice = await connectedUser(instances.first);
    const bob = await signUp(instances.first);
    const sub = await subscribe(instances.first, bob.token);
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
    await alice.client.request('presence.subscribe', { userIds: [bob.user.id] });
    const bobSocket = await TestClient.connect(instances.second, bob.token);
    instances.track(alice.client, bobSocket);
    await alice.client.waitFor('presence.changed', (d) => d.online.includes(bob.user.id));

    await send(alice, room.id, 'while online');
    await instances.first.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toEqual([]);

    await bobSocket.close();
    await alice.client.waitFor('presence.changed', (d) => d.offline.some((o) => o.userId === bob.user.id));
    await send(alice, room.id, 'while away');
    await instances.first.pychat.pushIdle();
    expect(pushService.payloadsFor(sub.endpoint)).toEqual([expect.objectContaining({ text: 'while away' })]);
  });
});
