import { ALL_ROOM_ID, CLOSE_CODES, type ErrorBody } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, dialect, RequestError, useTestServer } from './harness';

/** Runs every request at once (a burst: all frames leave before the first answer) and sorts the outcomes. */
async function burst<T>(requests: Promise<T>[]): Promise<{ ok: T[]; errors: ErrorBody[] }> {
  const settled = await Promise.allSettled(requests);
  const ok: T[] = [];
  const errors: ErrorBody[] = [];
  for (const result of settled) {
    if (result.status === 'fulfilled') {
      ok.push(result.value);
    } else if (result.reason instanceof RequestError) {
      errors.push(result.reason.body);
    } else {
      throw result.reason;
    }
  }
  return { ok, errors };
}

describe(`abuse limits on sockets, defaults (${dialect})`, () => {
  const medium = useTestServer(DEFAULT_RATE_LIMITS);
  const user = () => medium.user();

  it('answers a burst of 500 sends past the budget with RATE_LIMITED + retryAfterMs, stores none of those, stays open', async () => {
    const alice = await user();
    const { ok, errors } = await burst(
      Array.from({ length: 500 }, (_, i) =>
        alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: `flood ${i}`, localId: `f${i}` }),
      ),
    );

    // The burst (30) plus what refilled while the burst was being answered.
    expect(ok.length).toBeGreaterThanOrEqual(30);
    expect(ok.length).toBeLessThan(100);
    expect(errors).toHaveLength(500 - ok.length);
    for (const error of errors) {
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(100);
    }
    const stored = await alice.client.request('message.history', { roomId: ALL_ROOM_ID, limit: 100 });
    expect(stored.messages.filter((m) => m.senderId === alice.user.id)).toHaveLength(ok.length);

    expect(alice.client.closed).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, Math.max(...errors.map((e) => e.retryAfterMs ?? 0))));
    const later = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'later', localId: 'l' });
    expect(later.message.content).toBe('later');
  });

  it('shares one budget between the tabs of a user (twice a socket’s), and keeps other users’ budgets apart', async () => {
    const alice = await user();
    const tabs = [alice.client, ...(await Promise.all([1, 2, 3].map(() => medium.connect(alice.token))))];
    const bob = await user();
    const { ok } = await burst(
      tabs.flatMap((tab, t) =>
        Array.from({ length: 30 }, (_, i) =>
          tab.request('message.send', { roomId: ALL_ROOM_ID, content: `tab ${t}`, localId: `t${t}-${i}` }),
        ),
      ),
    );
    expect(ok.length).toBeGreaterThanOrEqual(60);
    expect(ok.length).toBeLessThan(120);
    const bobs = await bob.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'mine', localId: 'b' });
    expect(bobs.duplicate).toBe(false);
  });

  it('limits a typing flood: the other members receive at most the typing budget', async () => {
    const alice = await user();
    const bob = await user();
    for (let i = 0; i < 200; i++) {
      alice.client.sendRaw(JSON.stringify({ type: 'typing.start', data: { roomId: ALL_ROOM_ID } }));
    }
    await alice.client.settle();
    await bob.client.settle();
    const received = bob.client.all('typing.started').filter((t) => t.userId === alice.user.id);
    // Burst 5, plus at most one refilled (1/s) while the flood is answered.
    expect(received.length).toBeGreaterThanOrEqual(5);
    expect(received.length).toBeLessThanOrEqual(7);
    const limited = alice.client.frames.filter(
      (f) => f.type === 'error' && (f.data as ErrorBody).code === 'RATE_LIMITED',
    );
    expect(limited.length).toBeGreaterThanOrEqual(193);
  });

  it('limits room and channel creation bursts', async () => {
    const alice = await user();
    const { ok, errors } = await burst(
      Array.from({ length: 40 }, (_, i) => alice.client.request('channel.create', { name: `c${i}`, userIds: [] })),
    );
    expect(ok.length).toBeGreaterThanOrEqual(20);
    expect(ok.length).toBeLessThan(23);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['RATE_LIMITED']));
  });

  it('limits an ICE flood: past the rtc budget (burst 200) candidates get RATE_LIMITED and are not forwarded', async () => {
    const alice = await user();
    const bob = await user();
    const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
    await bob.client.waitFor('room.added', (d) => d.room.id === room.id);
    const { callId } = await alice.client.request('call.start', { roomId: room.id, video: false });
    await bob.client.request('call.join', { callId });
    const toConnId = bob.client.ready.connectionId;
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host' };

    const { ok, errors } = await burst(
      Array.from({ length: 600 }, () => alice.client.request('rtc.candidate', { callId, toConnId, candidate })),
    );

    // The burst (200) plus what refilled (50/s) while the flood was answered.
    expect(ok.length).toBeGreaterThanOrEqual(200);
    expect(ok.length).toBeLessThan(400);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['RATE_LIMITED']));
    await bob.client.settle();
    await alice.client.settle();
    await expect.poll(() => bob.client.all('rtc.candidate').length).toBe(ok.length);
    expect(alice.client.closed).toBeNull();
  });
});

describe(`per-user caps and the frame queue (${dialect})`, () => {
  const medium = useTestServer({
    // Creation rate out of the way, so the caps are what stops the loop.
    PYCHAT_WS_CREATE_PER_MIN: '1000000',
    PYCHAT_WS_CREATE_BURST: '1000',
    PYCHAT_MAX_ROOMS_PER_USER: '3',
    PYCHAT_WS_MAX_QUEUED_FRAMES: '20',
  });

  it('stops a user at 50 channels (LIMIT_REACHED) out of 200 attempts, and frees a place when one is deleted', async () => {
    const alice = await medium.user();
    const created: number[] = [];
    const refused: ErrorBody[] = [];
    for (let i = 0; i < 200; i++) {
      await alice.client.request('channel.create', { name: `ch${i}`, userIds: [] }).then(
        (reply) => created.push(reply.channel.id),
        (error: RequestError) => refused.push(error.body),
      );
    }
    expect(created).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(['LIMIT_REACHED']));

    await alice.client.request('channel.delete', { channelId: created[0] ?? 0 });
    const again = await alice.client.request('channel.create', { name: 'again', userIds: [] });
    expect(again.channel.name).toBe('again');
    expect((await alice.client.requestError('channel.create', { name: 'over', userIds: [] })).code).toBe(
      'LIMIT_REACHED',
    );
  });

  it('stops a user at PYCHAT_MAX_ROOMS_PER_USER rooms', async () => {
    const alice = await medium.user();
    const { channel } = await alice.client.request('channel.create', { name: 'home', userIds: [] });
    for (const name of ['r1', 'r2', 'r3']) {
      await alice.client.request('room.create', { channelId: channel.id, name, userIds: [] });
    }
    const error = await alice.client.requestError('room.create', { channelId: channel.id, name: 'r4', userIds: [] });
    expect(error.code).toBe('LIMIT_REACHED');
  });

  it('closes a socket with 4009 when more frames wait than PYCHAT_WS_MAX_QUEUED_FRAMES, and only that socket', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const frames = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ type: 'message.history', id: 1_000 + i, data: { roomId: ALL_ROOM_ID, limit: 100 } }),
    );
    // Written in one go: the server receives them together, before it has answered any.
    for (const frame of frames) {
      alice.client.sendRaw(frame);
    }

    await expect.poll(() => alice.client.closed?.code).toBe(CLOSE_CODES.BACKPRESSURE);
    const answered = alice.client.frames.filter((f) => f.type === 'reply').length;
    expect(answered).toBeLessThanOrEqual(20);
    await bob.client.settle();
    expect(bob.client.closed).toBeNull();
  });
});
