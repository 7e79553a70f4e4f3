import { ALL_ROOM_ID, LIMITS, type MessageDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { SYNC_CLOCK_SKEW_MS } from '../../src/services/message.service';
import { type ConnectedUser, dialect, TestClient, useTestServer } from './harness';

type User = ConnectedUser;

describe(`messages (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  /** A channel whose main room holds exactly these users: away from the "all" room every other test writes to. */
  async function channelOf(owner: User, ...others: User[]): Promise<{ channelId: number; roomId: number }> {
    const { channel, room } = await owner.client.request('channel.create', {
      name: 'talk',
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return { channelId: channel.id, roomId: room.id };
  }

  async function roomOf(owner: User, ...others: User[]): Promise<number> {
    return (await channelOf(owner, ...others)).roomId;
  }

  /** A second socket of an existing user (same session). */
  async function secondTab(u: User): Promise<TestClient> {
    return medium.connect(u.token);
  }

  async function send(
    sender: User,
    roomId: number,
    content: string,
    extra: { parentId?: number; mentions?: number[] } = {},
  ): Promise<MessageDto> {
    localIds += 1;
    const reply = await sender.client.request('message.send', { roomId, content, localId: `m${localIds}`, ...extra });
    return reply.message;
  }

  async function sendMany(sender: User, roomId: number, count: number, prefix = 'n'): Promise<MessageDto[]> {
    const sent: MessageDto[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(await send(sender, roomId, `${prefix}${i}`));
    }
    return sent;
  }

  /** Every frame the server sent before this point has reached each client. */
  async function settle(...users: User[]): Promise<void> {
    await Promise.all(users.map((u) => u.client.settle()));
  }

  const ids = (messages: MessageDto[]) => messages.map((m) => m.id);

  /**
   * A `since` as if the client's previous sync happened right now: the server looks SYNC_CLOCK_SKEW_MS behind
   * `since`, so this one makes it look back exactly to the server's current time. The pause first puts
   * everything written so far strictly before that instant (timestamps are whole milliseconds).
   */
  async function syncedNow(u: User): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return (await u.client.request('session.ping', {})).serverTime + SYNC_CLOCK_SKEW_MS;
  }

  describe('message.new', () => {
    it('reaches every tab of every member, the sender included, and nobody else', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const aliceTab2 = await secondTab(alice);

      const sent = await send(alice, room, 'hi bob');
      expect(sent).toMatchObject({
        roomId: room,
        senderId: alice.user.id,
        content: 'hi bob',
        parentId: null,
        deleted: false,
      });

      const atBob = await bob.client.waitFor('message.new', (d) => d.message.id === sent.id);
      expect(atBob.message).toEqual(sent);
      await alice.client.waitFor('message.new', (d) => d.message.id === sent.id);
      const atTab2 = await aliceTab2.waitFor('message.new', (d) => d.message.id === sent.id);
      // The sender's other tabs need the localId to replace their pending copy.
      expect(atTab2.localId).toBe(`m${localIds}`);

      await settle(carol);
      expect(carol.client.all('message.new').filter((d) => d.message.roomId === room)).toEqual([]);
    });

    it('normalises lone surrogates: the reply, the live frames and history carry the same text', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);

      // Half an emoji and a stray low surrogate: a UTF-8 database can only store them as U+FFFD.
      const sent = await send(alice, room, 'half \uD83D emoji, \uDE00 stray, whole 😀');
      const live = await bob.client.waitFor('message.new', (d) => d.message.id === sent.id);
      expect(live.message.content).toBe('half \uFFFD emoji, \uFFFD stray, whole 😀');
      expect(sent.content).toBe(live.message.content);
      let history = await bob.client.request('message.history', { roomId: room });
      expect(history.messages).toEqual([live.message]);

      const { message: edited } = await alice.client.request('message.edit', {
        messageId: sent.id,
        content: 'x\uDBFF',
      });
      const liveEdit = await bob.client.waitFor('message.edited', (d) => d.message.id === sent.id);
      expect(liveEdit.message.content).toBe('x\uFFFD');
      expect(edited).toEqual(liveEdit.message);
      history = await bob.client.request('message.history', { roomId: room });
      expect(history.messages).toEqual([liveEdit.message]);
    });

    it('refuses to send into a room the user is not a member of', async () => {
      const alice = await user();
      const carol = await user();
      const room = await roomOf(alice);
      const error = await carol.client.requestError('message.send', {
        roomId: room,
        content: 'let me in',
        localId: 'x1',
      });
      expect(error.code).toBe('ROOM_NOT_FOUND');
      expect((await alice.client.request('message.history', { roomId: room })).messages).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('stores every message when members send at the same moment', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);
      // Two people typing at once is the normal case; no send may fail because another one is in flight.
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) => [send(alice, room, `a${i}`), send(bob, room, `b${i}`)]).flat(),
      );
      expect(new Set(ids(burst)).size).toBe(20);
      const history = await alice.client.request('message.history', { roomId: room });
      expect(ids(history.messages)).toEqual(ids(burst).sort((a, b) => a - b));
    });
  });

  describe('message.edit', () => {
    it('lets the author edit: members see the new text, outsiders see nothing', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const original = await send(alice, room, 'frist');

      const { message: edited } = await alice.client.request('message.edit', {
        messageId: original.id,
        content: 'first',
      });
      expect(edited).toMatchObject({
        id: original.id,
        content: 'first',
        createdAt: original.createdAt,
        deleted: false,
      });
      expect(edited.editedAt).not.toBeNull();
      expect(edited.editedAt).toBeGreaterThanOrEqual(original.createdAt);

      const atBob = await bob.client.waitFor('message.edited', (d) => d.message.id === original.id);
      expect(atBob.message).toEqual(edited);
      await alice.client.waitFor('message.edited', (d) => d.message.id === original.id);
      await settle(carol);
      expect(carol.client.all('message.edited').filter((d) => d.message.roomId === room)).toEqual([]);

      // A second edit is kept too: the latest text wins everywhere, including history.
      const { message: again } = await alice.client.request('message.edit', {
        messageId: original.id,
        content: 'first!',
      });
      expect(again.editedAt).toBeGreaterThanOrEqual(edited.editedAt as number);
      await bob.client.waitFor('message.edited', (d) => d.message.id === original.id && d.message.content === 'first!');
      const history = await bob.client.request('message.history', { roomId: room });
      expect(history.messages).toEqual([again]);
    });

    it("refuses someone else's message, an invisible one and a deleted one, changing nothing", async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const mine = await send(alice, room, 'mine');

      expect((await bob.client.requestError('message.edit', { messageId: mine.id, content: 'hacked' })).code).toBe(
        'NOT_MESSAGE_AUTHOR',
      );
      // An outsider cannot even learn that the message exists.
      expect((await carol.client.requestError('message.edit', { messageId: mine.id, content: 'hacked' })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );
      expect((await alice.client.requestError('message.edit', { messageId: mine.id, content: '' })).code).toBe(
        'VALIDATION_FAILED',
      );
      await settle(alice, bob);
      expect(bob.client.all('message.edited')).toEqual([]);
      expect((await alice.client.request('message.history', { roomId: room })).messages).toEqual([mine]);

      await alice.client.request('message.delete', { messageId: mine.id });
      expect((await alice.client.requestError('message.edit', { messageId: mine.id, content: 'back' })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );
    });
  });

  describe('message.delete', () => {
    it('soft-deletes: the message keeps its place without content, members are told, outsiders are not', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const [before, doomed, after] = await sendMany(alice, room, 3, 'd');
      const parentOfThread = doomed;
      const reply = await send(bob, room, 'a reply survives', { parentId: parentOfThread.id });

      const { message: deleted } = await alice.client.request('message.delete', { messageId: doomed.id });
      expect(deleted).toMatchObject({ id: doomed.id, content: null, deleted: true, mentions: [], threadCount: 1 });

      const atBob = await bob.client.waitFor('message.deleted', (d) => d.message.id === doomed.id);
      expect(atBob.message).toEqual(deleted);
      await settle(carol);
      expect(carol.client.all('message.deleted').filter((d) => d.message.roomId === room)).toEqual([]);

      const history = await bob.client.request('message.history', { roomId: room });
      expect(ids(history.messages)).toEqual([before.id, doomed.id, after.id]);
      expect(history.messages[1]).toMatchObject({ content: null, deleted: true });
      const thread = await bob.client.request('message.history', { roomId: room, threadId: doomed.id });
      expect(ids(thread.messages)).toEqual([reply.id]);

      expect((await alice.client.requestError('message.delete', { messageId: doomed.id })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );
      expect((await bob.client.requestError('message.delete', { messageId: after.id })).code).toBe(
        'NOT_MESSAGE_AUTHOR',
      );
      expect((await carol.client.requestError('message.delete', { messageId: after.id })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );
      expect((await bob.client.request('message.history', { roomId: room })).messages[2]).toEqual(after);
    });
  });

  describe('threads', () => {
    it('counts replies on the parent and keeps them out of the top-level history', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const first = await send(alice, room, 'first');
      const parent = await send(alice, room, 'parent');

      const r1 = await send(bob, room, 'reply 1', { parentId: parent.id });
      expect(r1.parentId).toBe(parent.id);
      const new1 = await alice.client.waitFor('message.new', (d) => d.message.id === r1.id);
      expect(new1.parentThreadCount).toBe(1);
      const r2 = await send(alice, room, 'reply 2', { parentId: parent.id });
      const new2 = await bob.client.waitFor('message.new', (d) => d.message.id === r2.id);
      expect(new2.parentThreadCount).toBe(2);
      const last = await send(alice, room, 'last');
      const plain = await bob.client.waitFor('message.new', (d) => d.message.id === last.id);
      expect(plain.parentThreadCount).toBeUndefined();

      const top = await bob.client.request('message.history', { roomId: room });
      expect(ids(top.messages)).toEqual([first.id, parent.id, last.id]);
      expect(top.messages[1].threadCount).toBe(2);
      expect(top.messages[0].threadCount).toBe(0);

      const thread = await alice.client.request('message.history', { roomId: room, threadId: parent.id });
      expect(thread).toEqual({ messages: [r1, r2], hasMore: false });

      await settle(carol);
      expect(carol.client.all('message.new').filter((d) => d.message.roomId === room)).toEqual([]);
    });

    it('keeps threads one level deep, inside the room and under a live parent', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);
      const otherRoom = await roomOf(alice, bob);
      const parent = await send(alice, room, 'parent');
      const reply = await send(bob, room, 'reply', { parentId: parent.id });
      const elsewhere = await send(alice, otherRoom, 'elsewhere');

      const nested = await bob.client.requestError('message.send', {
        roomId: room,
        content: 'reply to a reply',
        localId: 'nested',
        parentId: reply.id,
      });
      expect(nested.code).toBe('INVALID_OPERATION');
      const crossRoom = await bob.client.requestError('message.send', {
        roomId: room,
        content: 'wrong room',
        localId: 'cross',
        parentId: elsewhere.id,
      });
      expect(crossRoom.code).toBe('MESSAGE_NOT_FOUND');
      expect((await bob.client.requestError('message.history', { roomId: room, threadId: elsewhere.id })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );

      const dead = await send(alice, room, 'to be deleted');
      await alice.client.request('message.delete', { messageId: dead.id });
      const toDead = await bob.client.requestError('message.send', {
        roomId: room,
        content: 'too late',
        localId: 'dead',
        parentId: dead.id,
      });
      expect(toDead.code).toBe('INVALID_OPERATION');

      const thread = await alice.client.request('message.history', { roomId: room, threadId: parent.id });
      expect(ids(thread.messages)).toEqual([reply.id]);
      const top = await alice.client.request('message.history', { roomId: room });
      expect(top.messages.find((m) => m.id === parent.id)?.threadCount).toBe(1);
    });
  });

  describe('message.history', () => {
    it('pages from the newest back by beforeId, oldest first inside a page', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const sent = await sendMany(alice, room, 7, 'p');

      const newest = await alice.client.request('message.history', { roomId: room, limit: 3 });
      expect(ids(newest.messages)).toEqual(ids(sent.slice(4, 7)));
      expect(newest.hasMore).toBe(true);
      const middle = await alice.client.request('message.history', { roomId: room, limit: 3, beforeId: sent[4].id });
      expect(ids(middle.messages)).toEqual(ids(sent.slice(1, 4)));
      expect(middle.hasMore).toBe(true);
      const oldest = await alice.client.request('message.history', { roomId: room, limit: 3, beforeId: sent[1].id });
      expect(ids(oldest.messages)).toEqual([sent[0].id]);
      expect(oldest.hasMore).toBe(false);
      expect(oldest.messages[0].content).toBe('p0');
    });

    it('says hasMore false when the oldest page is exactly full, and answers an empty page past the start', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const sent = await sendMany(alice, room, 6, 'e');

      const newest = await alice.client.request('message.history', { roomId: room, limit: 3 });
      expect(newest.hasMore).toBe(true);
      const oldest = await alice.client.request('message.history', { roomId: room, limit: 3, beforeId: sent[3].id });
      expect(ids(oldest.messages)).toEqual(ids(sent.slice(0, 3)));
      expect(oldest.hasMore).toBe(false);
      const past = await alice.client.request('message.history', { roomId: room, limit: 3, beforeId: sent[0].id });
      expect(past).toEqual({ messages: [], hasMore: false });
    });

    it('caps a page at the requested limit, the default and the maximum', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const sent = await sendMany(alice, room, LIMITS.historyPageDefault + 2, 'c');

      const byDefault = await alice.client.request('message.history', { roomId: room });
      expect(byDefault.messages).toHaveLength(LIMITS.historyPageDefault);
      expect(byDefault.messages.at(-1)?.id).toBe(sent.at(-1)?.id);
      expect(byDefault.hasMore).toBe(true);
      const all = await alice.client.request('message.history', { roomId: room, limit: LIMITS.historyPageMax });
      expect(ids(all.messages)).toEqual(ids(sent));
      expect(all.hasMore).toBe(false);

      for (const limit of [0, LIMITS.historyPageMax + 1]) {
        const error = await alice.client.requestError('message.history', { roomId: room, limit });
        expect(error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses the history of a room the user is not in', async () => {
      const alice = await user();
      const carol = await user();
      const room = await roomOf(alice);
      await send(alice, room, 'secret');
      expect((await carol.client.requestError('message.history', { roomId: room })).code).toBe('ROOM_NOT_FOUND');
    });
  });

  describe('message.sync', () => {
    it('returns what is newer than the last message the client holds, thread replies included', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);
      const quiet = await roomOf(alice, bob);
      const held = await send(alice, room, 'held');
      const quietHeld = await send(alice, quiet, 'quiet');
      const missed = await send(bob, room, 'missed');
      const missedReply = await send(bob, room, 'missed reply', { parentId: held.id });

      const since = await syncedNow(alice);
      const sync = await alice.client.request('message.sync', {
        rooms: [
          { roomId: room, lastMessageId: held.id, since },
          { roomId: quiet, lastMessageId: quietHeld.id, since },
        ],
      });
      expect(sync.removedRoomIds).toEqual([]);
      expect(sync.serverTime).toBeGreaterThanOrEqual(since - SYNC_CLOCK_SKEW_MS);
      expect(sync.rooms).toEqual([
        { roomId: room, messages: [missed, missedReply], gap: false },
        { roomId: quiet, messages: [], gap: false },
      ]);

      // A client holding nothing gets the room's messages from the start.
      const fresh = await bob.client.request('message.sync', { rooms: [{ roomId: room, lastMessageId: 0, since: 0 }] });
      expect(ids(fresh.rooms[0].messages)).toEqual([held.id, missed.id, missedReply.id]);
    });

    it('re-sends messages edited, deleted or replied to since the previous sync, not unchanged ones', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);
      const [unchanged, toEdit, toDelete, toReply] = await sendMany(alice, room, 4, 's');
      const since = await syncedNow(alice);

      const { message: edited } = await alice.client.request('message.edit', {
        messageId: toEdit.id,
        content: 'edited',
      });
      const { message: deleted } = await alice.client.request('message.delete', { messageId: toDelete.id });
      const reply = await send(bob, room, 'reply', { parentId: toReply.id });
      const newer = await send(bob, room, 'newer');

      const sync = await bob.client.request('message.sync', {
        rooms: [{ roomId: room, lastMessageId: toReply.id, since }],
      });
      const messages = sync.rooms[0].messages;
      expect(ids(messages)).toEqual([edited.id, deleted.id, toReply.id, reply.id, newer.id]);
      expect(messages[0]).toEqual(edited);
      expect(messages[1]).toEqual(deleted);
      expect(messages[2].threadCount).toBe(1);
      expect(ids(messages)).not.toContain(unchanged.id);
      expect(sync.rooms[0].gap).toBe(false);
    });

    it(`flags a gap when more than ${LIMITS.syncMessagesPerRoom} new messages wait`, async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const start = await send(alice, room, 'start');
      const total = LIMITS.syncMessagesPerRoom + 1;
      const sent: MessageDto[] = [];
      // Batches keep the run short without flooding one connection with hundreds of requests at once.
      for (let i = 0; i < total; i += 25) {
        const batch = Array.from({ length: Math.min(25, total - i) }, (_, j) => send(alice, room, `g${i + j}`));
        sent.push(...(await Promise.all(batch)));
      }
      sent.sort((a, b) => a.id - b.id);
      // As if the previous sync had just happened: only new messages are due, no changed ones.
      const since = await syncedNow(alice);

      const withGap = await alice.client.request('message.sync', {
        rooms: [{ roomId: room, lastMessageId: start.id, since }],
      });
      expect(withGap.rooms[0].gap).toBe(true);
      // The newest ones, oldest first; the very first new message is what the client must page for.
      expect(ids(withGap.rooms[0].messages)).toEqual(ids(sent.slice(1)));

      const noGap = await alice.client.request('message.sync', {
        rooms: [{ roomId: room, lastMessageId: sent[0].id, since }],
      });
      expect(noGap.rooms[0].gap).toBe(false);
      expect(ids(noGap.rooms[0].messages)).toEqual(ids(sent.slice(1)));
    });

    it('lists rooms the user left, lost or never had as removedRoomIds', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { channelId, roomId: kept } = await channelOf(alice, bob);
      const { room: left } = await alice.client.request('room.create', {
        channelId,
        name: 'left',
        userIds: [bob.user.id],
      });
      const { room: gone } = await alice.client.request('room.create', {
        channelId,
        name: 'gone',
        userIds: [bob.user.id],
      });
      const { room: direct } = await alice.client.request('room.createDirect', { userId: bob.user.id });
      const foreign = await roomOf(carol);

      await bob.client.request('room.leave', { roomId: left.id });
      await alice.client.request('room.delete', { roomId: gone.id });
      await alice.client.request('room.leave', { roomId: direct.id });
      await bob.client.waitFor('room.removed', (d) => d.roomId === direct.id);

      const sync = await bob.client.request('message.sync', {
        rooms: [kept, left.id, gone.id, direct.id, foreign, ALL_ROOM_ID].map((roomId) => ({
          roomId,
          lastMessageId: 0,
          since: 0,
        })),
      });
      expect(sync.removedRoomIds).toEqual([left.id, gone.id, direct.id, foreign]);
      expect(sync.rooms.map((r) => r.roomId)).toEqual([kept, ALL_ROOM_ID]);
    });
  });

  describe('message.search', () => {
    it('finds text case-insensitively, newest first, in that room only, never deleted messages', async () => {
      const alice = await user();
      const carol = await user();
      const room = await roomOf(alice);
      const other = await roomOf(alice);
      const older = await send(alice, room, 'Hello World');
      await send(alice, room, 'goodbye');
      const newer = await send(alice, room, 'well, hELLo there');
      const gone = await send(alice, room, 'hello from the past');
      await alice.client.request('message.delete', { messageId: gone.id });
      await send(alice, other, 'hello elsewhere');

      const found = await alice.client.request('message.search', { roomId: room, query: 'HeLLo' });
      expect(found).toEqual({ messages: [newer, older], hasMore: false });
      expect(
        (await alice.client.request('message.search', { roomId: room, query: 'nothing like it' })).messages,
      ).toEqual([]);
      expect((await carol.client.requestError('message.search', { roomId: room, query: 'hello' })).code).toBe(
        'ROOM_NOT_FOUND',
      );
    });

    it('ignores case beyond ASCII too', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const russian = await send(alice, room, 'Привет, Мир');
      const german = await send(alice, room, 'ÄPFEL und Birnen');
      await send(alice, room, 'hello world');

      const search = async (query: string) =>
        ids((await alice.client.request('message.search', { roomId: room, query })).messages);
      expect(await search('привет')).toEqual([russian.id]);
      expect(await search('мир')).toEqual([russian.id]);
      expect(await search('äpfel')).toEqual([german.id]);
      expect(await search('Äpfel UND')).toEqual([german.id]);
      // The word index ignores accents too.
      expect(await search('apfel')).toEqual([german.id]);
    });

    it('treats LIKE wildcards and the escape character literally', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const percent = await send(alice, room, 'I am 100% sure');
      await send(alice, room, 'I am 1000 sure');
      const underscore = await send(alice, room, 'snake_case');
      await send(alice, room, 'snakeXcase');
      const bang = await send(alice, room, 'wow!1');
      await send(alice, room, 'wow11');
      const backslash = await send(alice, room, 'C:\\temp');
      await send(alice, room, 'C:temp');

      const search = async (query: string) =>
        ids((await alice.client.request('message.search', { roomId: room, query })).messages);
      expect(await search('100%')).toEqual([percent.id]);
      expect(await search('%')).toEqual([percent.id]);
      expect(await search('SNAKE_')).toEqual([underscore.id]);
      expect(await search('_')).toEqual([underscore.id]);
      expect(await search('!1')).toEqual([bang.id]);
      expect(await search('!')).toEqual([bang.id]);
      expect(await search(':\\t')).toEqual([backslash.id]);
    });

    it('pages results by offset', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const total = LIMITS.searchPageSize + 5;
      const sent = await sendMany(alice, room, total, 'match ');
      const newestFirst = ids(sent).reverse();

      const first = await alice.client.request('message.search', { roomId: room, query: 'match' });
      expect(ids(first.messages)).toEqual(newestFirst.slice(0, LIMITS.searchPageSize));
      expect(first.hasMore).toBe(true);
      const second = await alice.client.request('message.search', {
        roomId: room,
        query: 'match',
        offset: LIMITS.searchPageSize,
      });
      expect(ids(second.messages)).toEqual(newestFirst.slice(LIMITS.searchPageSize));
      expect(second.hasMore).toBe(false);
    });

    it('without a roomId searches every room I am in, never one I left or was never in', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const shared = await roomOf(alice, bob);
      const alicesOwn = await roomOf(alice);
      const left = await channelOf(alice, bob);
      const secret = await roomOf(carol);
      const dave = await user();
      const token = `needle${localIds}x`;
      const inShared = await send(alice, shared, `${token} in shared`);
      const inOwn = await send(alice, alicesOwn, `${token} in alice's own`);

      const inLeft = await send(alice, left.roomId, `${token} in a room bob left`);
      const inSecret = await send(carol, secret, `${token} in carol's room`);
      await bob.client.request('channel.leave', { channelId: left.channelId });

      const hits = async (u: User) =>
        (await u.client.request('message.search', { query: token })).messages.map((m) => [m.id, m.roomId]);
      expect(await hits(alice)).toEqual([
        [inLeft.id, left.roomId],
        [inOwn.id, alicesOwn],
        [inShared.id, shared],
      ]);
      expect(await hits(bob)).toEqual([[inShared.id, shared]]);
      expect(await hits(carol)).toEqual([[inSecret.id, secret]]);
      expect(await hits(dave)).toEqual([]);
    });

    it('pages a search over all my rooms by offset', async () => {
      const alice = await user();
      const one = await roomOf(alice);
      const two = await roomOf(alice);
      const token = `paged${localIds}y`;
      const sent: MessageDto[] = [];
      for (let i = 0; i < LIMITS.searchPageSize + 3; i++) {
        sent.push(await send(alice, i % 2 === 0 ? one : two, `${token} ${i}`));
      }
      const newestFirst = ids(sent).reverse();
      const first = await alice.client.request('message.search', { query: token });
      expect(ids(first.messages)).toEqual(newestFirst.slice(0, LIMITS.searchPageSize));
      expect(first.hasMore).toBe(true);
      const second = await alice.client.request('message.search', { query: token, offset: LIMITS.searchPageSize });
      expect(ids(second.messages)).toEqual(newestFirst.slice(LIMITS.searchPageSize));
      expect(second.hasMore).toBe(false);
    });

    it('over all my rooms, on the word index: one statement; the substring fallback sorts nothing', async () => {
      // Timing is no test on a shared machine; the plan is. A word goes to the index in one statement (SQLite
      // walks the FTS matches in id order, MariaDB sorts the matches the FULLTEXT index returns); a query with
      // no indexable word walks each room down (room_id, id): the old `room_id IN (my rooms) ORDER BY id` sorted
      // every match before the LIMIT (docs/performance.md §12).
      const alice = await user();
      const one = await roomOf(alice);
      const two = await roomOf(alice);
      const token = `plan${localIds}y`;
      await send(alice, one, `${token} 1 ~~`);
      await send(alice, two, `${token} 2 ~~`);
      const db = medium.server.pychat.dataSource;
      const statements: [string, unknown[]][] = [];
      const spy = vi.spyOn(db.logger, 'logQuery').mockImplementation((query, parameters) => {
        if (query.includes('LIKE') || query.includes('MATCH')) {
          // Both drivers log positional parameters (an array).
          statements.push([query, Array.isArray(parameters) ? parameters : []]);
        }
      });
      try {
        expect((await alice.client.request('message.search', { query: token })).messages).toHaveLength(2);
        expect((await alice.client.request('message.search', { query: '~~' })).messages).toHaveLength(2);
      } finally {
        spy.mockRestore();
      }
      const indexed = statements.filter(([query]) => query.includes('MATCH'));
      const walks = statements.filter(([query]) => !query.includes('MATCH'));
      expect(indexed).toHaveLength(1);
      expect(walks.length).toBeGreaterThanOrEqual(2);
      const planOf = async ([query, parameters]: [string, unknown[]]) =>
        (await db.query(dialect === 'mysql' ? `EXPLAIN ${query}` : `EXPLAIN QUERY PLAN ${query}`, parameters)) as {
          detail?: string;
          Extra?: string | null;
          key?: string | null;
        }[];
      const indexPlan = await planOf(indexed[0]);
      if (dialect === 'mysql') {
        expect(indexPlan.map((row) => row.key)).toContain('ft_messages_content');
      } else {
        expect(indexPlan[0].detail).toMatch(/VIRTUAL TABLE INDEX/);
        expect(indexPlan.filter((row) => /TEMP B-TREE/.test(row.detail ?? ''))).toEqual([]);
      }
      for (const walk of walks) {
        const steps = (await planOf(walk)).map((row) => (dialect === 'mysql' ? (row.Extra ?? '') : (row.detail ?? '')));
        expect(
          steps.filter((step) => /TEMP B-TREE|filesort|temporary/i.test(step)),
          walk[0],
        ).toEqual([]);
      }
    });

    it('finds words on the index: a rare one among many rows, a prefix of the last word, any order', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      await sendMany(alice, room, 60, 'filler chatter ');
      const rare = await send(alice, room, 'the deployment of zebrafish went fine');
      await sendMany(alice, room, 60, 'more filler ');
      const search = async (query: string) =>
        ids((await alice.client.request('message.search', { roomId: room, query })).messages);
      expect(await search('zebrafish')).toEqual([rare.id]);
      expect(await search('ZEBRA')).toEqual([rare.id]);
      expect(await search('zebrafish deploy')).toEqual([rare.id]);
      // Only the last word is a prefix; words, not substrings.
      expect(await search('deploy zebrafish')).toEqual([]);
      expect(await search('ebrafish')).toEqual([]);
      expect(await search('zebrafishes')).toEqual([]);
      // Under MariaDB's 3-character minimum, a word is a substring match instead (SQLite indexes it).
      const short = await send(alice, room, 'ok, go');
      expect(await search('go')).toEqual([short.id]);
      expect(await search('of zebrafish')).toEqual([rare.id]);
    });

    it('follows edits and deletes', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const message = await send(alice, room, 'original wording');
      await alice.client.request('message.edit', { messageId: message.id, content: 'revised phrasing' });
      const search = async (query: string) =>
        ids((await alice.client.request('message.search', { roomId: room, query })).messages);
      expect(await search('original')).toEqual([]);
      expect(await search('revised')).toEqual([message.id]);
      await alice.client.request('message.delete', { messageId: message.id });
      expect(await search('revised')).toEqual([]);
    });

    it('treats the index syntax in a query as text', async () => {
      const alice = await user();
      const room = await roomOf(alice);
      const hit = await send(alice, room, 'alpha NEAR beta AND gamma "quoted" star*');
      const search = async (query: string) =>
        ids((await alice.client.request('message.search', { roomId: room, query })).messages);
      for (const query of [
        'NEAR',
        'AND',
        'OR',
        'NOT',
        '"quoted"',
        '"',
        '*',
        'star*',
        'alpha NEAR(beta)',
        'gamma -',
        '+beta -alpha',
        '(beta',
        'beta:',
        '^alpha',
        'alpha"',
      ]) {
        expect(Array.isArray(await search(query)), query).toBe(true);
      }
      expect(await search('"quoted"')).toEqual([hit.id]);
      expect(await search('star*')).toEqual([hit.id]);
      expect(await search('alpha NEAR beta')).toEqual([hit.id]);
      expect(await search('gamma AND')).toEqual([hit.id]);
      expect(await search('-alpha')).toEqual([]);
    });
  });

  describe('message.read', () => {
    it('message.unread moves my pointer back to just before a message, never forward, and tells the room', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const [m1, m2, m3] = await sendMany(alice, room, 3, 'b');
      await bob.client.request('message.read', { roomId: room, messageId: m3.id });
      await alice.client.waitFor('message.read', (d) => d.roomId === room && d.lastReadMessageId === m3.id);

      expect(await bob.client.request('message.unread', { roomId: room, messageId: m2.id })).toEqual({
        lastReadMessageId: m2.id - 1,
      });
      expect(
        await alice.client.waitFor('message.read', (d) => d.roomId === room && d.lastReadMessageId < m3.id),
      ).toEqual({ roomId: room, userId: bob.user.id, lastReadMessageId: m2.id - 1 });
      // m2 and m3 count as unread again on a fresh connection.
      const fresh = await secondTab(bob);
      expect(fresh.ready.states.find((s) => s.roomId === room)).toMatchObject({ unread: 2 });

      // Never forward: "unread from m3" when the pointer is already before it changes nothing.
      expect(await bob.client.request('message.unread', { roomId: room, messageId: m3.id })).toEqual({
        lastReadMessageId: m2.id - 1,
      });
      expect(await bob.client.request('message.unread', { roomId: room, messageId: m1.id })).toEqual({
        lastReadMessageId: m1.id - 1,
      });
      expect((await carol.client.requestError('message.unread', { roomId: room, messageId: m1.id })).code).toBe(
        'ROOM_NOT_FOUND',
      );
    });

    it('moves the read pointer forward only and tells the members, not outsiders', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);
      const [m1, m2] = await sendMany(alice, room, 3, 'r');
      const elsewhere = await send(alice, ALL_ROOM_ID, 'in the all room');

      expect(await bob.client.request('message.read', { roomId: room, messageId: m2.id })).toEqual({
        lastReadMessageId: m2.id,
      });
      const atAlice = await alice.client.waitFor('message.read', (d) => d.roomId === room);
      expect(atAlice).toEqual({ roomId: room, userId: bob.user.id, lastReadMessageId: m2.id });
      await bob.client.waitFor('message.read', (d) => d.roomId === room);

      // Reading an older message (a late tab) never moves the pointer back, and is no news to anyone.
      expect(await bob.client.request('message.read', { roomId: room, messageId: m1.id })).toEqual({
        lastReadMessageId: m2.id,
      });
      expect((await bob.client.requestError('message.read', { roomId: room, messageId: elsewhere.id })).code).toBe(
        'MESSAGE_NOT_FOUND',
      );
      expect((await carol.client.requestError('message.read', { roomId: room, messageId: m2.id })).code).toBe(
        'ROOM_NOT_FOUND',
      );
      await settle(alice, bob, carol);
      expect(alice.client.all('message.read').filter((d) => d.roomId === room)).toHaveLength(1);
      expect(carol.client.all('message.read').filter((d) => d.roomId === room)).toEqual([]);

      const { members } = await alice.client.request('room.members', { roomId: room });
      expect(members.find((m) => m.userId === bob.user.id)?.lastReadMessageId).toBe(m2.id);
      expect(members.find((m) => m.userId === alice.user.id)?.lastReadMessageId).toBe(0);
    });

    it('drives the unread counts in session.ready of a fresh connection', async () => {
      const alice = await user();
      const bob = await user();
      const room = await roomOf(alice, bob);
      const [m1, , , m4] = await sendMany(alice, room, 4, 'u');
      await alice.client.request('message.delete', { messageId: m4.id });
      const own = await send(bob, room, 'my own message never counts');
      await bob.client.request('message.read', { roomId: room, messageId: m1.id });

      const stateOf = async (u: User) => {
        const client = await secondTab(u);
        return client.ready.states.find((s) => s.roomId === room);
      };
      // m2 and m3 are unread: m1 was read, m4 is deleted, the last one is bob's own.
      expect(await stateOf(bob)).toMatchObject({ unread: 2, lastMessageId: own.id });
      expect(await stateOf(alice)).toMatchObject({ unread: 1, lastMessageId: own.id });

      await bob.client.request('message.read', { roomId: room, messageId: own.id });
      expect(await stateOf(bob)).toMatchObject({ unread: 0, lastMessageId: own.id });
    });
  });

  describe('mentions', () => {
    it('accepts members of the room only, on send and on edit', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const room = await roomOf(alice, bob);

      const mention = await send(alice, room, '@bob look', { mentions: [bob.user.id, bob.user.id] });
      expect(mention.mentions).toEqual([bob.user.id]);
      const atBob = await bob.client.waitFor('message.new', (d) => d.message.id === mention.id);
      expect(atBob.message.mentions).toEqual([bob.user.id]);

      const outsider = await alice.client.requestError('message.send', {
        roomId: room,
        content: '@carol look',
        localId: 'mention-carol',
        mentions: [carol.user.id],
      });
      expect(outsider.code).toBe('USER_NOT_FOUND');
      const unknown = await alice.client.requestError('message.send', {
        roomId: room,
        content: '@ghost',
        localId: 'mention-ghost',
        mentions: [999_999],
      });
      expect(unknown.code).toBe('USER_NOT_FOUND');
      expect(ids((await alice.client.request('message.history', { roomId: room })).messages)).toEqual([mention.id]);

      const badEdit = await alice.client.requestError('message.edit', {
        messageId: mention.id,
        content: '@carol',
        mentions: [carol.user.id],
      });
      expect(badEdit.code).toBe('USER_NOT_FOUND');
      // Leaving mentions out of an edit keeps them; an empty list clears them.
      const kept = await alice.client.request('message.edit', { messageId: mention.id, content: '@bob look!' });
      expect(kept.message.mentions).toEqual([bob.user.id]);
      const cleared = await alice.client.request('message.edit', {
        messageId: mention.id,
        content: 'nobody',
        mentions: [],
      });
      expect(cleared.message.mentions).toEqual([]);
      const history = await bob.client.request('message.history', { roomId: room });
      expect(history.messages[0]).toMatchObject({ content: 'nobody', mentions: [] });
    });
  });
});
