import { LIMITS, type ServerFrame } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { busBarrier, dialect, TestClient, useTestServer, useTwoInstances, type DirectRoomCast } from './harness';
import { SDP } from './signalling';

/** "Within a few seconds" for a closed socket: it is removed at once, so well under the sweep's interval. */
const AT_ONCE_MS = 1_500;

const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** Call and rtc frames received after `mark` (replies, errors and bus barriers left out). */
function callFramesSince(client: TestClient, mark: number): ServerFrame[] {
  return client.frames
    .slice(mark)
    .filter((f) => f.type.startsWith('call.') || f.type.startsWith('rtc.'))
    .filter((f) => !('replyTo' in f));
}

describe(`calls (${dialect})`, () => {
  const medium = useTestServer();

  /** Alice starts a call; Bob's tabs ring; Bob's first tab joins. */
  async function aliceCallsBob({ alice, bob, bobTab, roomId }: DirectRoomCast) {
    const { callId } = await alice.client.request('call.start', { roomId, video: true });
    await bob.client.waitFor('call.incoming', (d) => d.call.callId === callId);
    await bobTab.waitFor('call.incoming', (d) => d.call.callId === callId);
    const joined = await bob.client.request('call.join', { callId });
    await alice.client.waitFor('call.joined', (d) => d.connId === bob.client.ready.connectionId);
    return { callId, joined };
  }

  it("rings every device of the room's other members, and nobody else", async () => {
    const { alice, bob, bobTab, eve, roomId } = await medium.directRoomWithSecondTab();
    const eveMark = eve.client.frames.length;
    const aliceMark = alice.client.frames.length;

    const { callId } = await alice.client.request('call.start', { roomId, video: true });

    const ring = await bob.client.waitFor('call.incoming');
    expect(ring.call).toMatchObject({
      callId,
      roomId,
      video: true,
      startedBy: { userId: alice.user.id, connId: alice.client.ready.connectionId },
      peers: [{ userId: alice.user.id, connId: alice.client.ready.connectionId }],
    });
    expect((await bobTab.waitFor('call.incoming')).call.callId).toBe(callId);
    await busBarrier(alice, [eve.client, bob.client, bobTab]);
    expect(callFramesSince(eve.client, eveMark)).toEqual([]);
    // The caller's own device does not ring.
    expect(callFramesSince(alice.client, aliceMark)).toEqual([]);
  });

  it('forwards offer, answer and candidates to exactly the addressed device', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, bobTab, eve } = cast;
    const { callId, joined } = await aliceCallsBob(cast);
    const aliceConn = alice.client.ready.connectionId;
    const bobConn = bob.client.ready.connectionId;
    expect(joined.call.peers).toEqual([{ userId: alice.user.id, connId: aliceConn }]);
    const marks = [alice.client, bobTab, eve.client].map((c) => c.frames.length);

    await bob.client.request('rtc.offer', { callId, toConnId: aliceConn, sdp: SDP });
    const offer = await alice.client.waitFor('rtc.offer');
    expect(offer).toEqual({ callId, fromUserId: bob.user.id, fromConnId: bobConn, sdp: SDP });

    await alice.client.request('rtc.answer', { callId, toConnId: bobConn, sdp: SDP });
    expect(await bob.client.waitFor('rtc.answer')).toEqual({
      callId,
      fromUserId: alice.user.id,
      fromConnId: aliceConn,
      sdp: SDP,
    });
    await alice.client.request('rtc.candidate', { callId, toConnId: bobConn, candidate: CANDIDATE });
    expect(await bob.client.waitFor('rtc.candidate')).toEqual({
      callId,
      fromUserId: alice.user.id,
      fromConnId: aliceConn,
      candidate: CANDIDATE,
    });

    await busBarrier(eve, [alice.client, bobTab]);
    await busBarrier(bob, [eve.client]);
    // Bob's other tab (not in the call) and Eve got none of it; Alice only the offer addressed to her.
    expect(callFramesSince(bobTab, marks[1]!).filter((f) => f.type.startsWith('rtc.'))).toEqual([]);
    expect(callFramesSince(eve.client, marks[2]!)).toEqual([]);
    expect(callFramesSince(alice.client, marks[0]!).map((f) => f.type)).toEqual(['rtc.offer']);
  });

  it('refuses foreign and made-up call ids and devices outside the call, forwarding nothing', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, bobTab, eve } = cast;
    const { callId } = await aliceCallsBob(cast);
    const aliceConn = alice.client.ready.connectionId;
    await busBarrier(eve, [alice.client, bob.client, bobTab]);
    const marks = [alice.client, bob.client, bobTab].map((c) => c.frames.length);

    // Eve is not in the room: her requests about its call read exactly like a call that does not exist.
    const forged = 'AAAAAAAAAAAAAAAA';
    for (const id of [callId, forged]) {
      expect(await eve.client.requestError('call.join', { callId: id })).toMatchObject({ code: 'CALL_NOT_FOUND' });
      expect(await eve.client.requestError('call.decline', { callId: id })).toMatchObject({ code: 'CALL_NOT_FOUND' });
      expect(await eve.client.requestError('call.leave', { callId: id })).toMatchObject({ code: 'CALL_NOT_FOUND' });
      expect(await eve.client.requestError('rtc.offer', { callId: id, toConnId: aliceConn, sdp: SDP })).toMatchObject({
        code: 'CALL_NOT_FOUND',
      });
    }
    expect((await eve.client.request('call.list', {})).calls).toEqual([]);
    // Word for word the same answer, but for the id itself.
    const hidden = await eve.client.requestError('call.join', { callId });
    const missing = await eve.client.requestError('call.join', { callId: forged });
    expect(hidden.message.replace(callId, 'ID')).toBe(missing.message.replace(forged, 'ID'));
    // Bob's second tab is a member but has not joined: it cannot signal, nor be signalled.
    expect(
      await bobTab.requestError('rtc.candidate', { callId, toConnId: aliceConn, candidate: CANDIDATE }),
    ).toMatchObject({ code: 'CALL_NOT_FOUND' });
    expect(
      await alice.client.requestError('rtc.offer', { callId, toConnId: bobTab.ready.connectionId, sdp: SDP }),
    ).toMatchObject({ code: 'CALL_PEER_NOT_FOUND' });
    // Eve's socket is a real connection id, but not in the call.
    expect(
      await alice.client.requestError('rtc.offer', { callId, toConnId: eve.client.ready.connectionId, sdp: SDP }),
    ).toMatchObject({ code: 'CALL_PEER_NOT_FOUND' });

    await busBarrier(eve, [alice.client, bob.client, bobTab]);
    await busBarrier(alice, [eve.client]);
    expect(callFramesSince(alice.client, marks[0]!)).toEqual([]);
    expect(callFramesSince(bob.client, marks[1]!)).toEqual([]);
    expect(callFramesSince(bobTab, marks[2]!)).toEqual([]);
    expect(eve.client.all('rtc.offer')).toEqual([]);
  });

  it('refuses an oversized SDP and a malformed candidate at the edge', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob } = cast;
    const { callId } = await aliceCallsBob(cast);
    const bobConn = bob.client.ready.connectionId;
    const mark = bob.client.frames.length;

    const big = await alice.client.requestError('rtc.offer', {
      callId,
      toConnId: bobConn,
      sdp: 'a'.repeat(LIMITS.rtcSdpMaxLength + 1),
    });
    expect(big).toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const candidate of [
      { candidate: 'a=candidate:1 1 udp 1 192.0.2.1 1 typ host' },
      { candidate: 'candidate:1\n1 udp' },
      { candidate: `candidate:${'1'.repeat(LIMITS.rtcCandidateMaxLength)}` },
      { candidate: 'candidate:1', sdpMLineIndex: -1 },
      { candidate: 'candidate:1', extra: true },
    ]) {
      const error = await alice.client.requestError('rtc.candidate', { callId, toConnId: bobConn, candidate });
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await alice.client.requestError('call.join', { callId: 'short' })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    await busBarrier(alice, [bob.client]);
    expect(callFramesSince(bob.client, mark)).toEqual([]);
  });

  it('lets a late device see the running call and join it, listing the devices already in it', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, roomId } = cast;
    const { callId } = await aliceCallsBob(cast);
    const late = await medium.connect(bob.token);

    const { calls } = await late.request('call.list', {});
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ callId, roomId });
    expect(new Set(calls[0]!.peers.map((p) => p.connId))).toEqual(
      new Set([alice.client.ready.connectionId, bob.client.ready.connectionId]),
    );

    const joined = await late.request('call.join', { callId });
    expect(new Set(joined.call.peers.map((p) => p.connId))).toEqual(
      new Set([alice.client.ready.connectionId, bob.client.ready.connectionId]),
    );
    const seen = await alice.client.waitFor('call.joined', (d) => d.connId === late.ready.connectionId);
    expect(seen).toEqual({ callId, roomId, userId: bob.user.id, connId: late.ready.connectionId });
    // Joining twice is refused; a second start in the room too.
    expect(await late.requestError('call.join', { callId })).toMatchObject({ code: 'INVALID_OPERATION' });
    expect(await alice.client.requestError('call.start', { roomId, video: false })).toMatchObject({
      code: 'INVALID_OPERATION',
    });
  });

  it('announces a decline, and a hang-up; the last device leaving ends the call', async () => {
    const { alice, bob, bobTab, roomId } = await medium.directRoomWithSecondTab();
    const { callId } = await alice.client.request('call.start', { roomId, video: false });
    await bobTab.waitFor('call.incoming');

    await bobTab.request('call.decline', { callId });
    const declined = await alice.client.waitFor('call.declined');
    expect(declined).toEqual({ callId, roomId, userId: bob.user.id, connId: bobTab.ready.connectionId });
    // Bob's other tab hears it too, so it can stop ringing.
    await bob.client.waitFor('call.declined');

    await bob.client.request('call.join', { callId });
    // A device in the call hangs up rather than declines.
    expect(await bob.client.requestError('call.decline', { callId })).toMatchObject({ code: 'INVALID_OPERATION' });
    await bob.client.request('call.leave', { callId });
    expect(await alice.client.waitFor('call.left')).toMatchObject({
      callId,
      connId: bob.client.ready.connectionId,
      reason: 'hangup',
    });
    // Left already: a second leave (or a signal) is refused.
    expect(await bob.client.requestError('call.leave', { callId })).toMatchObject({ code: 'CALL_NOT_FOUND' });

    await alice.client.request('call.leave', { callId });
    expect(await bob.client.waitFor('call.ended')).toEqual({ callId, roomId });
    expect((await bob.client.request('call.list', {})).calls).toEqual([]);
    expect(await bob.client.requestError('call.join', { callId })).toMatchObject({ code: 'CALL_NOT_FOUND' });
    // The room is free for a new call.
    await alice.client.request('call.start', { roomId, video: false });
  });

  it('takes a device whose socket closes out of the call at once', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, roomId } = cast;
    const { callId } = await aliceCallsBob(cast);
    const bobConn = bob.client.ready.connectionId;

    bob.client.terminate();

    const left = await alice.client.waitFor('call.left', (d) => d.connId === bobConn, AT_ONCE_MS);
    expect(left).toEqual({ callId, roomId, userId: bob.user.id, connId: bobConn, reason: 'disconnected' });
    expect(await alice.client.requestError('rtc.offer', { callId, toConnId: bobConn, sdp: SDP })).toMatchObject({
      code: 'CALL_PEER_NOT_FOUND',
    });
  });

  it('takes a member who leaves the room out of its call', async () => {
    const { alice, eve } = await medium.directRoomWithSecondTab();
    // A room of a channel, with Eve in it.
    const { channel } = await alice.client.request('channel.create', {
      name: `c${Date.now() % 1e6}`,
      userIds: [eve.user.id],
    });
    const { room } = await alice.client.request('room.create', {
      channelId: channel.id,
      name: 'standup',
      userIds: [eve.user.id],
    });
    await eve.client.waitFor('room.added', (d) => d.room.id === room.id);
    const { callId } = await alice.client.request('call.start', { roomId: room.id, video: false });
    await eve.client.request('call.join', { callId });

    await eve.client.request('room.leave', { roomId: room.id });

    expect(await alice.client.waitFor('call.left', (d) => d.userId === eve.user.id)).toMatchObject({
      callId,
      reason: 'removed',
    });
  });
});

describe(`calls across instances (${dialect})`, () => {
  const instances = useTwoInstances();

  it('connects a caller on one instance with a callee on the other', async () => {
    const { alice, bob, roomId } = await instances.directRoomAcross();

    const { callId } = await alice.client.request('call.start', { roomId, video: true });
    await bob.client.waitFor('call.incoming', (d) => d.call.callId === callId);
    const joined = await bob.client.request('call.join', { callId });
    expect(joined.call.peers).toEqual([{ userId: alice.user.id, connId: alice.client.ready.connectionId }]);

    await bob.client.request('rtc.offer', { callId, toConnId: alice.client.ready.connectionId, sdp: SDP });
    expect((await alice.client.waitFor('rtc.offer')).fromConnId).toBe(bob.client.ready.connectionId);
    await alice.client.request('rtc.answer', { callId, toConnId: bob.client.ready.connectionId, sdp: SDP });
    expect((await bob.client.waitFor('rtc.answer')).fromConnId).toBe(alice.client.ready.connectionId);

    await bob.client.close();
    expect(await alice.client.waitFor('call.left', undefined, AT_ONCE_MS)).toMatchObject({ reason: 'disconnected' });
    // Alice is still in it (alone): the call goes on until she hangs up.
    expect((await alice.client.request('call.list', {})).calls[0]?.peers).toHaveLength(1);
  });
});
