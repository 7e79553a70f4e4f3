import { LIMITS, type MessageDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { type ConnectedUser, dialect, useTestServer } from './harness';

type User = ConnectedUser;

describe(`pins (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  async function channelOf(owner: User, ...others: User[]): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: 'pins',
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  async function send(sender: User, roomId: number, content: string): Promise<MessageDto> {
    localIds += 1;
    return (await sender.client.request('message.send', { roomId, content, localId: `p${localIds}` })).message;
  }

  it('any member pins; the room hears message.pinned, the list shows it, nobody else hears; unpin is idempotent', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const room = await channelOf(alice, bob);
    const first = await send(alice, room, 'first');
    const second = await send(alice, room, 'second');

    const { message } = await bob.client.request('message.pin', { messageId: first.id, pinned: true });
    expect(message).toMatchObject({ id: first.id, pinnedBy: bob.user.id });
    expect(message.pinnedAt).toEqual(expect.any(Number));
    const live = await alice.client.waitFor('message.pinned', (d) => d.message.id === first.id);
    expect(live.message).toEqual(message);
    await bob.client.request('message.pin', { messageId: second.id, pinned: true });
    // Pinning again changes nothing and announces nothing.
    const again = await bob.client.request('message.pin', { messageId: first.id, pinned: true });
    expect(again.message.pinnedAt).toBe(message.pinnedAt);

    const pins = await alice.client.request('message.pins', { roomId: room });
    expect(pins.messages.map((m) => m.id)).toEqual([second.id, first.id]);

    await alice.client.request('message.pin', { messageId: first.id, pinned: false });
    const off = await alice.client.request('message.pin', { messageId: first.id, pinned: false });
    expect(off.message).toMatchObject({ pinnedAt: null, pinnedBy: null });
    expect((await bob.client.request('message.pins', { roomId: room })).messages.map((m) => m.id)).toEqual([second.id]);
    await alice.client.settle();
    expect(alice.client.all('message.pinned').filter((d) => d.message.id === first.id)).toHaveLength(2);
    await carol.client.settle();
    expect(carol.client.all('message.pinned')).toEqual([]);
  });

  it('a non-member can neither pin nor list the pins', async () => {
    const alice = await user();
    const mallory = await user();
    const room = await channelOf(alice);
    const sent = await send(alice, room, 'ours');
    const error = await mallory.client.requestError('message.pin', { messageId: sent.id, pinned: true });
    expect(error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await mallory.client.requestError('message.pins', { roomId: room })).code).toBe('ROOM_NOT_FOUND');
    expect((await alice.client.request('message.pins', { roomId: room })).messages).toEqual([]);
  });

  it('with pinsAdminOnly only the admin pins; only the admin may set it', async () => {
    const alice = await user();
    const bob = await user();
    const room = await channelOf(alice, bob);
    const sent = await send(bob, room, 'important');

    expect((await bob.client.requestError('room.update', { roomId: room, pinsAdminOnly: true })).code).toBe(
      'NOT_ROOM_ADMIN',
    );
    const { room: updated } = await alice.client.request('room.update', { roomId: room, pinsAdminOnly: true });
    expect(updated.pinsAdminOnly).toBe(true);
    await bob.client.waitFor('room.updated', (d) => d.room.id === room && d.room.pinsAdminOnly);

    const refused = await bob.client.requestError('message.pin', { messageId: sent.id, pinned: true });
    expect(refused.code).toBe('NOT_ROOM_ADMIN');
    expect((await alice.client.request('message.pin', { messageId: sent.id, pinned: true })).message.pinnedBy).toBe(
      alice.user.id,
    );
  });

  it('refuses deleted messages, caps a room at the limit, and deleting unpins', async () => {
    const alice = await user();
    const room = await channelOf(alice);
    const gone = await send(alice, room, 'gone');
    await alice.client.request('message.pin', { messageId: gone.id, pinned: true });
    const { message: deleted } = await alice.client.request('message.delete', { messageId: gone.id });
    expect(deleted.pinnedAt).toBeNull();
    expect((await alice.client.requestError('message.pin', { messageId: gone.id, pinned: true })).code).toBe(
      'MESSAGE_NOT_FOUND',
    );
    for (let i = 0; i < LIMITS.pinsPerRoomMax; i++) {
      const m = await send(alice, room, `m${i}`);
      await alice.client.request('message.pin', { messageId: m.id, pinned: true });
    }
    const extra = await send(alice, room, 'one too many');
    expect((await alice.client.requestError('message.pin', { messageId: extra.id, pinned: true })).code).toBe(
      'LIMIT_REACHED',
    );
    expect((await alice.client.request('message.pins', { roomId: room })).messages).toHaveLength(LIMITS.pinsPerRoomMax);
  });

  it('bad input is VALIDATION_FAILED', async () => {
    const alice = await user();
    for (const data of [{ messageId: 1 }, { messageId: 'x', pinned: true }, { messageId: 1, pinned: 'yes' }]) {
      const error = await alice.client.requestError('message.pin', data as never);
      expect(error.code).toBe('VALIDATION_FAILED');
    }
  });
});
