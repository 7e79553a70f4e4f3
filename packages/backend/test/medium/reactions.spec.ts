import { LIMITS, type MessageDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { SYNC_CLOCK_SKEW_MS } from '../../src/services/message.service';
import { type ConnectedUser, dialect, useTestServer } from './harness';

type User = ConnectedUser;

describe(`reactions (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  async function roomOf(owner: User, ...others: User[]): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: 'react',
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  async function send(sender: User, roomId: number, content: string, parentId?: number): Promise<MessageDto> {
    localIds += 1;
    return (await sender.client.request('message.send', { roomId, content, localId: `r${localIds}`, parentId }))
      .message;
  }

  it('a reaction reaches every member with the complete list, and history carries it; nobody else hears', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const room = await roomOf(alice, bob);
    const sent = await send(alice, room, 'vote');
    expect(sent.reactions).toEqual([]);

    const reply = await bob.client.request('message.react', { messageId: sent.id, emoji: '👍', on: true });
    expect(reply).toEqual({ messageId: sent.id, reactions: [{ emoji: '👍', userIds: [bob.user.id] }] });
    const atAlice = await alice.client.waitFor('message.reactions', (d) => d.messageId === sent.id);
    expect(atAlice).toEqual({ roomId: room, messageId: sent.id, reactions: reply.reactions });

    await alice.client.request('message.react', { messageId: sent.id, emoji: '👍', on: true });
    // 😀 and 👍 are both outside the BMP: MariaDB's default collation would call them equal.
    await alice.client.request('message.react', { messageId: sent.id, emoji: '😀', on: true });
    const flag = await bob.client.request('message.react', { messageId: sent.id, emoji: '🇫🇷', on: true });
    expect(flag.reactions).toEqual([
      { emoji: '👍', userIds: [bob.user.id, alice.user.id] },
      { emoji: '😀', userIds: [alice.user.id] },
      { emoji: '🇫🇷', userIds: [bob.user.id] },
    ]);
    const history = await bob.client.request('message.history', { roomId: room });
    expect(history.messages[0]?.reactions).toEqual(flag.reactions);

    await carol.client.settle();
    expect(carol.client.all('message.reactions')).toEqual([]);
  });

  it('toggles are idempotent: a repeated add or a missing remove changes nothing and announces nothing', async () => {
    const alice = await user();
    const bob = await user();
    const room = await roomOf(alice, bob);
    const sent = await send(alice, room, 'twice');

    await bob.client.request('message.react', { messageId: sent.id, emoji: '🎉', on: true });
    const again = await bob.client.request('message.react', { messageId: sent.id, emoji: '🎉', on: true });
    expect(again.reactions).toEqual([{ emoji: '🎉', userIds: [bob.user.id] }]);
    const nothing = await bob.client.request('message.react', { messageId: sent.id, emoji: '❤️', on: false });
    expect(nothing.reactions).toEqual(again.reactions);
    await alice.client.settle();
    expect(alice.client.all('message.reactions').filter((d) => d.messageId === sent.id)).toHaveLength(1);

    const off = await bob.client.request('message.react', { messageId: sent.id, emoji: '🎉', on: false });
    expect(off.reactions).toEqual([]);
    const live = await alice.client.waitFor(
      'message.reactions',
      (d) => d.messageId === sent.id && d.reactions.length === 0,
    );
    expect(live.reactions).toEqual([]);
  });

  it('a non-member cannot react, nor learn that the message exists', async () => {
    const alice = await user();
    const mallory = await user();
    const room = await roomOf(alice);
    const sent = await send(alice, room, 'private');

    const error = await mallory.client.requestError('message.react', { messageId: sent.id, emoji: '👍', on: true });
    expect(error.code).toBe('MESSAGE_NOT_FOUND');
    const unknown = await mallory.client.requestError('message.react', { messageId: 999_999, emoji: '👍', on: true });
    expect(unknown.code).toBe('MESSAGE_NOT_FOUND');
    expect((await alice.client.request('message.history', { roomId: room })).messages[0]?.reactions).toEqual([]);
  });

  it('refuses text, markup and over-long input as an emoji, and reactions to a deleted message', async () => {
    const alice = await user();
    const room = await roomOf(alice);
    const sent = await send(alice, room, 'x');
    for (const emoji of ['', 'a', '1', '<img src=x>', '👍 ok', '👍'.repeat(17)]) {
      const error = await alice.client.requestError('message.react', { messageId: sent.id, emoji, on: true });
      expect(error.code, emoji).toBe('VALIDATION_FAILED');
    }
    await alice.client.request('message.delete', { messageId: sent.id });
    const gone = await alice.client.requestError('message.react', { messageId: sent.id, emoji: '👍', on: true });
    expect(gone.code).toBe('MESSAGE_NOT_FOUND');
  });

  it(`caps a message at ${LIMITS.reactionsPerMessageMax} different emoji; more of an existing one still counts`, async () => {
    const alice = await user();
    const bob = await user();
    const room = await roomOf(alice, bob);
    const sent = await send(alice, room, 'many');
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    for (const e of emoji.slice(0, LIMITS.reactionsPerMessageMax)) {
      await alice.client.request('message.react', { messageId: sent.id, emoji: e, on: true });
    }
    const error = await bob.client.requestError('message.react', {
      messageId: sent.id,
      emoji: emoji[LIMITS.reactionsPerMessageMax] ?? '🤩',
      on: true,
    });
    expect(error.code).toBe('LIMIT_REACHED');
    const more = await bob.client.request('message.react', { messageId: sent.id, emoji: '😀', on: true });
    expect(more.reactions[0]).toEqual({ emoji: '😀', userIds: [alice.user.id, bob.user.id] });
  });

  it('works on thread replies, and message.sync brings the reactions made while a client was away', async () => {
    const alice = await user();
    const bob = await user();
    const room = await roomOf(alice, bob);
    const parent = await send(alice, room, 'thread');
    const replyMsg = await send(bob, room, 'in thread', parent.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = (await bob.client.request('session.ping', {})).serverTime + SYNC_CLOCK_SKEW_MS;
    await new Promise((resolve) => setTimeout(resolve, 5));

    await alice.client.request('message.react', { messageId: replyMsg.id, emoji: '✅', on: true });

    const sync = await bob.client.request('message.sync', {
      rooms: [{ roomId: room, lastMessageId: replyMsg.id, since }],
    });
    const synced = sync.rooms[0]?.messages.find((m) => m.id === replyMsg.id);
    expect(synced?.reactions).toEqual([{ emoji: '✅', userIds: [alice.user.id] }]);
    const thread = await bob.client.request('message.history', { roomId: room, threadId: parent.id });
    expect(thread.messages[0]?.reactions).toEqual(synced?.reactions);
  });
});
