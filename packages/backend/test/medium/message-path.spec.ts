import { setTimeout as sleep } from 'node:timers/promises';
import { ALL_ROOM_ID } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { MessageRepository } from '../../src/repositories/message.repository';
import { RoomRepository, UNREAD_COUNT_LIMIT } from '../../src/repositories/room.repository';
import { type ConnectedUser, dialect, TestClient, useTestServer } from './harness';

type User = ConnectedUser;

/**
 * The per-message database path (docs/performance.md §5.3, §5.4): one guarded INSERT per plain send, the
 * resend found through the unique index, constant statements, capped unread counts. What must not change:
 * nobody writes where they do not belong, whatever the socket still believes, and no row is half-written.
 */
describe(`message path (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  async function tab(u: User): Promise<TestClient> {
    return medium.connect(u.token);
  }

  async function roomOf(owner: User, ...others: User[]): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: 'path',
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  function localId(): string {
    localIds += 1;
    return `mp-${localIds}`;
  }

  function sql<T = unknown>(text: string, parameters: unknown[] = []): Promise<T[]> {
    return medium.server.pychat.dataSource.query(text, parameters) as Promise<T[]>;
  }

  async function storedCount(roomId: number): Promise<number> {
    const [row] = await sql<{ n: number | string }>('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]);
    return Number(row!.n);
  }

  /** Rows written with SQL, as the bench seeds history: `count` messages of `senderId`, `deleted` of them deleted. */
  async function seed(roomId: number, senderId: number, count: number, deleted = 0): Promise<void> {
    for (let start = 0; start < count; start += 200) {
      const rows = Math.min(200, count - start);
      const values: unknown[] = [];
      for (let i = 0; i < rows; i += 1) {
        const gone = start + i < deleted;
        values.push(roomId, senderId, gone ? null : `seeded ${start + i}`, 1, 1, gone ? 1 : null);
      }
      await sql(
        'INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, ' +
          'updated_at, edited_at, deleted_at) VALUES ' +
          Array.from({ length: rows }, () => '(?, ?, ?, NULL, NULL, 0, NULL, ?, ?, NULL, ?)').join(', '),
        values,
      );
    }
  }

  describe('a socket that still lists the room', () => {
    it('cannot write once the membership row is gone, even without any bus frame telling it', async () => {
      const alice = await user();
      const bob = await user();
      const roomId = await roomOf(alice, bob);
      const first = await bob.client.request('message.send', { roomId, content: 'in', localId: localId() });
      expect(first.duplicate).toBe(false);

      // Removed behind the instance's back: bob's socket still receives the room (its Connection.rooms holds it).
      await sql('DELETE FROM room_members WHERE room_id = ? AND user_id = ?', [roomId, bob.user.id]);
      const refused = await bob.client.requestError('message.send', { roomId, content: 'out', localId: localId() });
      expect(refused.code).toBe('ROOM_NOT_FOUND');
      const withMention = await bob.client.requestError('message.send', {
        roomId,
        content: 'out @alice',
        localId: localId(),
        mentions: [alice.user.id],
      });
      expect(withMention.code).toBe('ROOM_NOT_FOUND');
      const reply = await bob.client.requestError('message.send', {
        roomId,
        content: 'out, in a thread',
        localId: localId(),
        parentId: first.message.id,
      });
      expect(reply.code).toBe('ROOM_NOT_FOUND');
      expect(await storedCount(roomId)).toBe(1);
    });

    it('cannot write into a room disabled in the database', async () => {
      const alice = await user();
      const bob = await user();
      const roomId = await roomOf(alice, bob);
      await sql('UPDATE rooms SET deleted_at = ? WHERE id = ?', [Date.now(), roomId]);

      for (const sender of [alice, bob]) {
        const error = await sender.client.requestError('message.send', { roomId, content: 'x', localId: localId() });
        expect(error.code).toBe('ROOM_NOT_FOUND');
      }
      expect(await storedCount(roomId)).toBe(0);
    });

    it('cannot store into a room that went peer-to-peer, yet a resend of an earlier message still gets its answer', async () => {
      const alice = await user();
      const bob = await user();
      const direct = await alice.client.request('room.createDirect', { userId: bob.user.id });
      const roomId = direct.room.id;
      await bob.client.waitFor('room.added', (d) => d.room.id === roomId);
      const early = { roomId, content: 'before p2p', localId: localId() };
      const stored = await alice.client.request('message.send', early);

      await alice.client.request('room.update', { roomId, p2p: true });
      const error = await alice.client.requestError('message.send', { roomId, content: 'x', localId: localId() });
      expect(error.code).toBe('INVALID_OPERATION');
      const resent = await alice.client.request('message.send', early);
      expect(resent).toEqual({ message: stored.message, duplicate: true });
      expect(await storedCount(roomId)).toBe(1);
    });
  });

  describe('resends', () => {
    it('answers two copies of one send racing from two tabs with one stored message', async () => {
      const alice = await user();
      const roomId = await roomOf(alice);
      const second = await tab(alice);
      const send = { roomId, content: 'twice', localId: localId() };

      const [a, b] = await Promise.all([
        alice.client.request('message.send', send),
        second.request('message.send', send),
      ]);

      expect(a.message).toEqual(b.message);
      expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
      expect(await storedCount(roomId)).toBe(1);
    });

    it('answers a resend with its mentions and thread as stored, not as sent again', async () => {
      const alice = await user();
      const bob = await user();
      const roomId = await roomOf(alice, bob);
      const parent = await alice.client.request('message.send', { roomId, content: 'top', localId: localId() });
      const send = {
        roomId,
        content: 'reply',
        localId: localId(),
        parentId: parent.message.id,
        mentions: [bob.user.id],
      };
      const first = await alice.client.request('message.send', send);

      const again = await alice.client.request('message.send', send);

      expect(again).toEqual({ message: first.message, duplicate: true });
      expect(first.message).toMatchObject({ parentId: parent.message.id, mentions: [bob.user.id] });
      const history = await alice.client.request('message.history', { roomId });
      expect(history.messages.map((m) => [m.id, m.threadCount])).toEqual([[parent.message.id, 1]]);
    });
  });

  describe('writes next to transactions', () => {
    it('loses no plain send while transactions (mentions, replies, failing resends, edits) run at the same moment', async () => {
      const alice = await user();
      const bob = await user();
      const roomId = await roomOf(alice, bob);
      const parent = await alice.client.request('message.send', { roomId, content: 'top', localId: localId() });
      const mentioned = { roomId, content: '@bob', localId: localId(), mentions: [bob.user.id] };
      await alice.client.request('message.send', mentioned);
      // One socket answers its frames in order, so the load comes from many sockets at once.
      const plainTabs = await Promise.all([tab(bob), tab(bob), tab(bob)]);
      const busyTabs = await Promise.all([tab(alice), tab(alice), tab(alice)]);

      const plain: Promise<unknown>[] = [];
      const busy: Promise<unknown>[] = [];
      for (let round = 0; round < 10; round += 1) {
        for (const client of plainTabs) {
          plain.push(client.request('message.send', { roomId, content: `plain ${round}`, localId: localId() }));
        }
        const [resender, replier, editor] = busyTabs as [TestClient, TestClient, TestClient];
        // A resend with mentions runs a transaction that fails on the unique index and rolls back.
        busy.push(resender.request('message.send', mentioned));
        busy.push(
          replier.request('message.send', {
            roomId,
            content: `reply ${round}`,
            localId: localId(),
            parentId: parent.message.id,
            mentions: [bob.user.id],
          }),
        );
        busy.push(editor.request('message.edit', { messageId: parent.message.id, content: `top ${round}` }));
      }
      const sent = (await Promise.all(plain)) as { message: { id: number; content: string } }[];
      await Promise.all(busy);

      const ids = sent.map((s) => s.message.id);
      const rows = await sql<{ id: number | string; content: string }>(
        `SELECT id, content FROM messages WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      expect(rows.map((r) => Number(r.id)).sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
      const [top] = await sql<{ thread_count: number | string }>('SELECT thread_count FROM messages WHERE id = ?', [
        parent.message.id,
      ]);
      expect(Number(top!.thread_count)).toBe(10);
      const [mentions] = await sql<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM message_mentions mm INNER JOIN messages m ON m.id = mm.message_id WHERE m.room_id = ?',
        [roomId],
      );
      expect(Number(mentions!.n)).toBe(11);
      expect(await storedCount(roomId)).toBe(1 + 1 + 30 + 10);
    });
  });

  describe('a write outside a transaction', () => {
    it('is not swept into (and rolled back with) a transaction that is open at that moment', async () => {
      const alice = await user();
      const dataSource = medium.server.pychat.dataSource;
      const messages = new MessageRepository(dataSource);
      const rooms = new RoomRepository(dataSource);
      const first = await alice.client.request('message.send', {
        roomId: ALL_ROOM_ID,
        content: 'a',
        localId: localId(),
      });
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      // A transaction that writes, waits on real I/O (on SQLite the single connection stays inside it), then fails.
      const failing = dataSource.transaction(async (manager) => {
        await manager.query('UPDATE messages SET content = ? WHERE id = ?', ['rolled back', first.message.id]);
        opened();
        await sleep(50);
        throw new Error('rolled back on purpose');
      });
      await isOpen;

      const lone = localId();
      const inserted = await messages.insert(
        { roomId: ALL_ROOM_ID, senderId: alice.user.id, content: 'alone', localId: lone, parentId: null, createdAt: 1 },
        [],
      );
      const pointer = await rooms.advanceRead(ALL_ROOM_ID, alice.user.id, first.message.id);
      await expect(failing).rejects.toThrow('rolled back on purpose');

      expect(inserted).not.toBeNull();
      expect(await messages.findBySenderAndLocalId(alice.user.id, lone)).toMatchObject({
        id: inserted!.message.id,
        content: 'alone',
      });
      expect(pointer).toBe(first.message.id);
      expect((await rooms.findMembership(ALL_ROOM_ID, alice.user.id))?.member.lastReadMessageId).toBe(first.message.id);
      expect((await messages.findById(first.message.id))?.content).toBe('a');
    });
  });

  describe('session.ready states', () => {
    it(`counts unread messages of others up to ${UNREAD_COUNT_LIMIT}, exactly below, and gives each room its newest id`, async () => {
      const alice = await user();
      const bob = await user();
      const big = await roomOf(alice, bob);
      const small = await roomOf(alice, bob);
      const empty = await roomOf(alice, bob);
      await seed(big, alice.user.id, UNREAD_COUNT_LIMIT + 5);
      // In the small room: 3 deleted and 4 live of alice's, 2 of bob's own.
      await seed(small, alice.user.id, 7, 3);
      await seed(small, bob.user.id, 2);
      const [newest] = await sql<{ id: number | string }>('SELECT MAX(id) AS id FROM messages WHERE room_id = ?', [
        big,
      ]);
      const [smallNewest] = await sql<{ id: number | string }>('SELECT MAX(id) AS id FROM messages WHERE room_id = ?', [
        small,
      ]);

      const fresh = await tab(bob);
      const states = new Map(fresh.ready.states.map((s) => [s.roomId, s]));
      expect(states.get(big)).toMatchObject({ unread: UNREAD_COUNT_LIMIT, lastMessageId: Number(newest!.id) });
      expect(states.get(small)).toMatchObject({ unread: 4, lastMessageId: Number(smallNewest!.id) });
      expect(states.get(empty)).toMatchObject({ unread: 0, lastMessageId: 0 });

      // Read all but the last 10: the count is exact again.
      await bob.client.request('message.read', { roomId: big, messageId: Number(newest!.id) - 10 });
      const later = await tab(bob);
      expect(later.ready.states.find((s) => s.roomId === big)).toMatchObject({ unread: 10 });
    });

    it('lists a channel with its main room, and leaves out a channel whose main room is gone', async () => {
      const alice = await user();
      const { channel, room } = await alice.client.request('channel.create', {
        name: `c${localId()}`.slice(0, 16),
        userIds: [],
      });
      const { room: sub } = await alice.client.request('room.create', {
        channelId: channel.id,
        name: 'sub',
        userIds: [],
      });
      expect((await tab(alice)).ready.channels).toContainEqual({ ...channel, mainRoomId: room.id });

      await sql('UPDATE rooms SET deleted_at = ? WHERE id = ?', [Date.now(), room.id]);
      const after = await tab(alice);
      expect(after.ready.rooms.map((r) => r.id)).toContain(sub.id);
      expect(after.ready.channels.map((c) => c.id)).not.toContain(channel.id);
    });
  });
});
