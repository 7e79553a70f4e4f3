import { describe, expect, it } from 'vitest';
import { busBarrier, dialect, framesSince, useTestServer } from './harness';
import { CANDIDATE, OFFER } from './signalling';

describe(`p2p rooms: presence and signalling (${dialect})`, () => {
  const medium = useTestServer();

  /** Alice and Bob's direct room switched to p2p; Alice's device is present in it. */
  async function setUp() {
    const cast = await medium.directRoomWithSecondTab();
    const { alice, bob, roomId } = cast;
    await alice.client.request('room.update', { roomId, p2p: true });
    await bob.client.waitFor('room.updated', (d) => d.room.id === roomId && d.room.p2p);
    expect(await alice.client.request('p2p.join', { roomId })).toEqual({ devices: [] });
    return cast;
  }

  it('lists the devices present to a joining device and tells them, nobody else', async () => {
    const { alice, bob, bobTab, eve, roomId } = await setUp();
    const aliceConn = alice.client.ready.connectionId;
    const bobConn = bob.client.ready.connectionId;
    const eveMark = eve.client.frames.length;
    const tabMark = bobTab.frames.length;

    expect(await bob.client.request('p2p.join', { roomId })).toEqual({
      devices: [{ userId: alice.user.id, connId: aliceConn }],
    });
    expect(await alice.client.waitFor('p2p.joined')).toEqual({ roomId, userId: bob.user.id, connId: bobConn });

    await busBarrier(alice, [bobTab, eve.client]);
    // Bob's second tab is a member's device but not present: it hears nothing until it joins.
    expect(framesSince(bobTab, tabMark, 'p2p.')).toEqual([]);
    expect(framesSince(eve.client, eveMark, 'p2p.')).toEqual([]);
  });

  it('relays signalling between present devices of the room, in both directions', async () => {
    const { alice, bob, roomId } = await setUp();
    await bob.client.request('p2p.join', { roomId });
    const aliceConn = alice.client.ready.connectionId;
    const bobConn = bob.client.ready.connectionId;

    await bob.client.request('p2p.signal', { roomId, toConnId: aliceConn, signal: OFFER });
    expect(await alice.client.waitFor('p2p.signal')).toEqual({
      roomId,
      fromUserId: bob.user.id,
      fromConnId: bobConn,
      signal: OFFER,
    });
    await alice.client.request('p2p.signal', { roomId, toConnId: bobConn, signal: CANDIDATE });
    expect((await bob.client.waitFor('p2p.signal')).signal).toEqual(CANDIDATE);
  });

  it('refuses non-members, rooms that are not p2p and forged ids with one answer, forwarding nothing', async () => {
    const { alice, bob, bobTab, eve, roomId } = await setUp();
    const aliceConn = alice.client.ready.connectionId;
    const marks = [alice.client, bob.client, bobTab].map((c) => c.frames.length);
    const eveRoom = await eve.client.request('room.createDirect', { userId: bob.user.id });

    for (const [client, room] of [
      [eve.client, roomId],
      [eve.client, 999_999],
      // A member, but the room is not p2p.
      [eve.client, eveRoom.room.id],
    ] as const) {
      expect(await client.requestError('p2p.join', { roomId: room })).toMatchObject({ code: 'ROOM_NOT_FOUND' });
      expect(
        await client.requestError('p2p.signal', { roomId: room, toConnId: aliceConn, signal: OFFER }),
      ).toMatchObject({ code: 'ROOM_NOT_FOUND' });
    }
    const hidden = await eve.client.requestError('p2p.join', { roomId });
    const missing = await eve.client.requestError('p2p.join', { roomId: 999_999 });
    expect(hidden.message.replace(String(roomId), 'N')).toBe(missing.message.replace('999999', 'N'));

    // A member's device that did not join may not signal, and may not be signalled.
    expect(await bobTab.requestError('p2p.signal', { roomId, toConnId: aliceConn, signal: OFFER })).toMatchObject({
      code: 'ROOM_NOT_FOUND',
    });
    for (const toConnId of [bobTab.ready.connectionId, 'forged-conn', aliceConn]) {
      expect(await alice.client.requestError('p2p.signal', { roomId, toConnId, signal: OFFER })).toMatchObject({
        code: 'P2P_PEER_NOT_FOUND',
      });
    }
    // Eve, present in her own p2p room, cannot reach Alice through it.
    await eve.client.request('room.update', { roomId: eveRoom.room.id, p2p: true });
    await eve.client.request('p2p.join', { roomId: eveRoom.room.id });
    expect(
      await eve.client.requestError('p2p.signal', { roomId: eveRoom.room.id, toConnId: aliceConn, signal: OFFER }),
    ).toMatchObject({ code: 'P2P_PEER_NOT_FOUND' });

    await busBarrier(eve, [alice.client, bob.client, bobTab]);
    [alice.client, bob.client, bobTab].forEach((c, i) => expect(framesSince(c, marks[i]!, 'p2p.')).toEqual([]));
  });

  it('announces a device leaving, its socket closing, and p2p switched off ends all signalling', async () => {
    const { alice, bob, bobTab, roomId } = await setUp();
    await bob.client.request('p2p.join', { roomId });
    await bobTab.request('p2p.join', { roomId });
    const bobConn = bob.client.ready.connectionId;
    const tabConn = bobTab.ready.connectionId;

    await bobTab.request('p2p.leave', { roomId });
    expect(await alice.client.waitFor('p2p.left', (d) => d.connId === tabConn)).toEqual({ roomId, connId: tabConn });
    await bob.client.close();
    expect(await alice.client.waitFor('p2p.left', (d) => d.connId === bobConn)).toEqual({ roomId, connId: bobConn });

    const bobAgain = await medium.connect(bob.token);
    await bobAgain.request('p2p.join', { roomId });
    await alice.client.request('room.update', { roomId, p2p: false });
    await alice.client.waitFor('p2p.left', (d) => d.connId === bobAgain.ready.connectionId);
    expect(
      await alice.client.requestError('p2p.signal', {
        roomId,
        toConnId: bobAgain.ready.connectionId,
        signal: OFFER,
      }),
    ).toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect(await bobAgain.requestError('p2p.join', { roomId })).toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('refuses every content write to a p2p room, also on its server history from before', async () => {
    const { alice, roomId } = await medium.directRoomWithSecondTab();
    const { message } = await alice.client.request('message.send', { roomId, content: 'before p2p', localId: 'l1' });
    await alice.client.request('room.update', { roomId, p2p: true });

    for (const [type, data] of [
      ['message.send', { roomId, content: 'secret words', localId: 'l2' }],
      ['message.edit', { messageId: message.id, content: 'secret words' }],
      ['message.delete', { messageId: message.id }],
      ['message.react', { messageId: message.id, emoji: '👍', on: true }],
      ['message.pin', { messageId: message.id, pinned: true }],
    ] as const) {
      expect(await alice.client.requestError(type, data), type).toMatchObject({ code: 'INVALID_OPERATION' });
    }
    // The history from before stays readable.
    const history = await alice.client.request('message.history', { roomId });
    expect(history.messages.map((m) => m.content)).toEqual(['before p2p']);
  });
});
