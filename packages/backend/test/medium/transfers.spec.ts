import { LIMITS } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { busBarrier, dialect, framesSince, useTestServer, useTwoInstances, type DirectRoomCast } from './harness';
import { CANDIDATE, OFFER, SDP } from './signalling';

const AT_ONCE_MS = 1_500;
const FILE = { name: 'report.pdf', size: 5_000_000, type: 'application/pdf', sha256: 'ab'.repeat(32) };

describe(`p2p file transfers (${dialect})`, () => {
  const medium = useTestServer();

  /** Alice offers FILE; both of Bob's devices see it; his first tab accepts. */
  async function aliceOffers({ alice, bob, bobTab, roomId }: DirectRoomCast) {
    const { transferId } = await alice.client.request('transfer.offer', { roomId, file: FILE });
    await bob.client.waitFor('transfer.incoming', (d) => d.transfer.transferId === transferId);
    await bobTab.waitFor('transfer.incoming', (d) => d.transfer.transferId === transferId);
    await bob.client.request('transfer.accept', { transferId, received: 0 });
    await alice.client.waitFor('transfer.accepted', (d) => d.transferId === transferId);
    return transferId;
  }

  it("offers a file to every device of the room's other members and nobody else", async () => {
    const { alice, bob, bobTab, eve, roomId } = await medium.directRoomWithSecondTab();
    const eveMark = eve.client.frames.length;
    const aliceMark = alice.client.frames.length;

    const { transferId } = await alice.client.request('transfer.offer', { roomId, file: FILE });

    const incoming = await bob.client.waitFor('transfer.incoming');
    expect(incoming.transfer).toMatchObject({
      transferId,
      roomId,
      threadId: null,
      file: FILE,
      from: { userId: alice.user.id, connId: alice.client.ready.connectionId },
    });
    expect((await bobTab.waitFor('transfer.incoming')).transfer.transferId).toBe(transferId);
    await busBarrier(bob, [alice.client, eve.client]);
    expect(framesSince(eve.client, eveMark, 'transfer.')).toEqual([]);
    expect(framesSince(alice.client, aliceMark, 'transfer.')).toEqual([]);
  });

  it('tells the sender which device accepted from which byte, and relays signalling between those two only', async () => {
    const { alice, bob, bobTab, roomId } = await medium.directRoomWithSecondTab();
    const { transferId } = await alice.client.request('transfer.offer', { roomId, file: FILE });
    await bob.client.waitFor('transfer.incoming');

    await bob.client.request('transfer.accept', { transferId, received: 1234 });
    expect(await alice.client.waitFor('transfer.accepted')).toEqual({
      transferId,
      userId: bob.user.id,
      connId: bob.client.ready.connectionId,
      received: 1234,
    });

    const aliceConn = alice.client.ready.connectionId;
    const bobConn = bob.client.ready.connectionId;
    const tabMark = bobTab.frames.length;
    await alice.client.request('transfer.signal', { transferId, toConnId: bobConn, signal: OFFER });
    expect(await bob.client.waitFor('transfer.signal')).toEqual({
      transferId,
      fromUserId: alice.user.id,
      fromConnId: aliceConn,
      signal: OFFER,
    });
    await bob.client.request('transfer.signal', { transferId, toConnId: aliceConn, signal: CANDIDATE });
    expect((await alice.client.waitFor('transfer.signal')).signal).toEqual(CANDIDATE);
    await busBarrier(alice, [bobTab]);
    expect(framesSince(bobTab, tabMark, 'transfer.')).toEqual([]);
  });

  it('refuses foreign and forged transfer ids and devices that did not accept, forwarding nothing', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, bobTab, eve, roomId } = cast;
    const transferId = await aliceOffers(cast);
    const aliceConn = alice.client.ready.connectionId;
    await busBarrier(eve, [alice.client, bob.client, bobTab]);
    const marks = [alice.client, bob.client, bobTab].map((c) => c.frames.length);

    const forged = 'AAAAAAAAAAAAAAAA';
    for (const id of [transferId, forged]) {
      for (const [type, data] of [
        ['transfer.accept', { transferId: id, received: 0 }],
        ['transfer.decline', { transferId: id }],
        ['transfer.cancel', { transferId: id }],
        ['transfer.signal', { transferId: id, toConnId: aliceConn, signal: OFFER }],
      ] as const) {
        expect(await eve.client.requestError(type, data)).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
      }
    }
    // Word for word the same answer for a real but foreign id, but for the id itself.
    const hidden = await eve.client.requestError('transfer.accept', { transferId, received: 0 });
    const missing = await eve.client.requestError('transfer.accept', { transferId: forged, received: 0 });
    expect(hidden.message.replace(transferId, 'ID')).toBe(missing.message.replace(forged, 'ID'));
    // Eve cannot offer in a room she is not in.
    expect(await eve.client.requestError('transfer.offer', { roomId, file: FILE })).toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    // Bob's second tab is a member's device but did not accept: it cannot signal, nor be signalled, nor cancel.
    expect(
      await bobTab.requestError('transfer.signal', { transferId, toConnId: aliceConn, signal: CANDIDATE }),
    ).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
    expect(
      await alice.client.requestError('transfer.signal', {
        transferId,
        toConnId: bobTab.ready.connectionId,
        signal: OFFER,
      }),
    ).toMatchObject({ code: 'TRANSFER_PEER_NOT_FOUND' });
    expect(await bobTab.requestError('transfer.cancel', { transferId })).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
    // A receiver signals only to the sender's device, not to another receiver or anyone else.
    expect(
      await bob.client.requestError('transfer.signal', {
        transferId,
        toConnId: eve.client.ready.connectionId,
        signal: OFFER,
      }),
    ).toMatchObject({ code: 'TRANSFER_PEER_NOT_FOUND' });
    // Alice's own offer is not hers to accept.
    expect(await alice.client.requestError('transfer.accept', { transferId, received: 0 })).toMatchObject({
      code: 'INVALID_OPERATION',
    });

    await busBarrier(eve, [alice.client, bob.client, bobTab]);
    await busBarrier(alice, [eve.client]);
    expect(framesSince(alice.client, marks[0]!, 'transfer.')).toEqual([]);
    expect(framesSince(bob.client, marks[1]!, 'transfer.')).toEqual([]);
    expect(framesSince(bobTab, marks[2]!, 'transfer.')).toEqual([]);
    expect(eve.client.all('transfer.signal')).toEqual([]);
  });

  it('refuses malformed offers and signals at the edge', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, roomId } = cast;
    const transferId = await aliceOffers(cast);
    const bobConn = bob.client.ready.connectionId;
    const mark = bob.client.frames.length;

    for (const file of [
      { ...FILE, size: 0 },
      { ...FILE, sha256: 'AB'.repeat(32) },
      { ...FILE, name: '' },
      { ...FILE, name: 'x'.repeat(LIMITS.transferFileNameMaxLength + 1) },
      { ...FILE, extra: true },
    ]) {
      expect(await alice.client.requestError('transfer.offer', { roomId, file })).toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    for (const signal of [
      { description: { type: 'pranswer', sdp: SDP } },
      { description: { type: 'offer', sdp: 'a'.repeat(LIMITS.rtcSdpMaxLength + 1) } },
      { candidate: { candidate: 'a=candidate:1' } },
      { ...OFFER, ...CANDIDATE },
    ]) {
      const error = await alice.client.requestError('transfer.signal', { transferId, toConnId: bobConn, signal });
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    // Resuming from the end (or past it) of the file is not a transfer.
    expect(await bob.client.requestError('transfer.accept', { transferId, received: FILE.size })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await bob.client.requestError('transfer.accept', { transferId, received: -1 })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    await busBarrier(alice, [bob.client]);
    expect(framesSince(bob.client, mark, 'transfer.')).toEqual([]);
  });

  it('passes a decline to the sender, and a cancel to the one device or to all', async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, bobTab } = cast;
    const transferId = await aliceOffers(cast);
    const bobConn = bob.client.ready.connectionId;

    await bobTab.request('transfer.decline', { transferId });
    expect(await alice.client.waitFor('transfer.declined')).toEqual({
      transferId,
      userId: bob.user.id,
      connId: bobTab.ready.connectionId,
    });

    await alice.client.request('transfer.cancel', { transferId, connId: bobConn });
    expect(await bob.client.waitFor('transfer.cancelled')).toEqual({ transferId, connId: bobConn });
    // Cancelled: that device is no longer an end of the transfer.
    expect(
      await alice.client.requestError('transfer.signal', { transferId, toConnId: bobConn, signal: OFFER }),
    ).toMatchObject({ code: 'TRANSFER_PEER_NOT_FOUND' });
    // It may accept again (a retry), and the sender may withdraw the whole offer.
    await bob.client.request('transfer.accept', { transferId, received: 10 });
    await alice.client.request('transfer.cancel', { transferId });
    expect(await bobTab.waitFor('transfer.cancelled')).toEqual({ transferId, connId: null });
    expect(await bob.client.requestError('transfer.accept', { transferId, received: 0 })).toMatchObject({
      code: 'TRANSFER_NOT_FOUND',
    });
  });

  it("withdraws a sender's offers when its socket closes", async () => {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob } = cast;
    const transferId = await aliceOffers(cast);

    await alice.client.close();

    expect(await bob.client.waitFor('transfer.cancelled', undefined, AT_ONCE_MS)).toEqual({
      transferId,
      connId: null,
    });
    expect(await bob.client.requestError('transfer.accept', { transferId, received: 0 })).toMatchObject({
      code: 'TRANSFER_NOT_FOUND',
    });
  });
});

describe(`p2p file transfers across instances (${dialect})`, () => {
  const instances = useTwoInstances();

  it('connects a sender on one instance with a receiver on the other', async () => {
    const { alice, bob, roomId } = await instances.directRoomAcross();

    const { transferId } = await alice.client.request('transfer.offer', { roomId, file: FILE });
    await bob.client.waitFor('transfer.incoming', (d) => d.transfer.transferId === transferId);
    await bob.client.request('transfer.accept', { transferId, received: 0 });
    expect((await alice.client.waitFor('transfer.accepted')).connId).toBe(bob.client.ready.connectionId);
    const toBob = { transferId, toConnId: bob.client.ready.connectionId, signal: OFFER };
    await alice.client.request('transfer.signal', toBob);
    expect((await bob.client.waitFor('transfer.signal')).fromConnId).toBe(alice.client.ready.connectionId);
  });
});
