import { LIMITS, type MessageDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { type ConnectedUser, dialect, useTestServer } from './harness';

type User = ConnectedUser;

describe(`inline replies (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  async function channelOf(owner: User, ...others: User[]): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: `replies${localIds++}`,
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  async function send(sender: User, roomId: number, content: string, replyToId?: number): Promise<MessageDto> {
    localIds += 1;
    return (
      await sender.client.request('message.send', {
        roomId,
        content,
        localId: `r${localIds}`,
        ...(replyToId === undefined ? {} : { replyToId }),
      })
    ).message;
  }

  it('a reply carries the excerpt of the answered message, live, in history, and as "deleted" once it is', async () => {
    const alice = await user();
    const bob = await user();
    const room = await channelOf(alice, bob);
    const long = 'x'.repeat(LIMITS.replyExcerptMaxLength + 50);
    const original = await send(alice, room, long);

    const reply = await send(bob, room, 'agreed', original.id);
    expect(reply.replyTo).toEqual({
      id: original.id,
      senderId: alice.user.id,
      excerpt: 'x'.repeat(LIMITS.replyExcerptMaxLength),
    });
    const live = await alice.client.waitFor('message.new', (d) => d.message.id === reply.id);
    expect(live.message.replyTo).toEqual(reply.replyTo);
    // A plain message carries no replyTo at all.
    expect(original.replyTo).toBeUndefined();

    await alice.client.request('message.delete', { messageId: original.id });
    const { messages } = await bob.client.request('message.history', { roomId: room });
    expect(messages.find((m) => m.id === reply.id)?.replyTo).toEqual({
      id: original.id,
      senderId: alice.user.id,
      excerpt: null,
    });
    // A deleted message cannot be answered any more.
    const refused = await bob.client.requestError('message.send', {
      roomId: room,
      content: 'too late',
      localId: `r${++localIds}`,
      replyToId: original.id,
    });
    expect(refused.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('a reply to a message of another room is refused, even a room the sender is in, and nothing is stored', async () => {
    const alice = await user();
    const bob = await user();
    const ours = await channelOf(alice, bob);
    const secret = await channelOf(alice);
    const bothIn = await channelOf(alice, bob);
    const hidden = await send(alice, secret, 'not for bob');
    const elsewhere = await send(alice, bothIn, 'in another room');

    for (const target of [hidden.id, elsewhere.id, 999_999_999]) {
      const error = await bob.client.requestError('message.send', {
        roomId: ours,
        content: 'sneaky',
        localId: `r${++localIds}`,
        replyToId: target,
      });
      expect(error.code).toBe('MESSAGE_NOT_FOUND');
    }
    const { messages } = await alice.client.request('message.history', { roomId: ours });
    expect(messages).toEqual([]);
  });
});
