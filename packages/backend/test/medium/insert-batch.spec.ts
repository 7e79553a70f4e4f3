import { describe, expect, it } from 'vitest';
import { DuplicateMessageError, MessageRepository, type NewMessage } from '../../src/repositories/message.repository';
import { dialect, useTestServer, type ConnectedUser } from './harness';
import { countStatements } from './statements';

/**
 * Plain sends that arrive in the same event-loop turn share one transaction (issue 17 target 4,
 * docs/performance.md §15). What must not change: ids follow the order of arrival, a resend is still found,
 * a refused or failing message gets its own answer and the others land, nothing is half-written.
 */
describe(`batched inserts (${dialect})`, () => {
  const medium = useTestServer();
  let localIds = 0;

  function localId(): string {
    localIds += 1;
    return `ib-${localIds}`;
  }

  /** BEGIN / START TRANSACTION, COMMIT, ROLLBACK and the message INSERTs, in order, as one letter each. */
  function shape(statements: string[]): string {
    return statements
      .map((s) =>
        /^(BEGIN|START TRANSACTION)/i.test(s)
          ? '['
          : /^COMMIT/i.test(s)
            ? ']'
            : /^ROLLBACK/i.test(s)
              ? 'R'
              : /^INSERT INTO messages/i.test(s)
                ? 'i'
                : '',
      )
      .join('');
  }

  async function roomOf(owner: ConnectedUser, ...others: ConnectedUser[]): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: 'batch',
      userIds: others.map((o) => o.user.id),
    });
    await Promise.all(others.map((o) => o.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  function plain(roomId: number, senderId: number, content: string): NewMessage {
    return { roomId, senderId, content, localId: localId(), parentId: null, createdAt: Date.now() };
  }

  async function stored(roomId: number): Promise<{ id: number; content: string }[]> {
    const rows = (await medium.server.pychat.dataSource.query(
      'SELECT id, content FROM messages WHERE room_id = ? ORDER BY id',
      [roomId],
    )) as { id: number | string; content: string }[];
    return rows.map((r) => ({ id: Number(r.id), content: r.content }));
  }

  it('writes the plain messages of one event-loop turn in one transaction, ids in the order they arrived', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const roomId = await roomOf(alice, bob);
    const messages = new MessageRepository(medium.server.pychat.dataSource);

    const counter = countStatements(medium.server.pychat.dataSource);
    let results;
    try {
      results = await Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((content, i) =>
          messages.insert(plain(roomId, (i % 2 === 0 ? alice : bob).user.id, content), []),
        ),
      );
    } finally {
      counter.stop();
    }

    expect(shape(counter.statements)).toBe('[iiiii]');
    const ids = results.map((r) => r!.message.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(await stored(roomId)).toEqual(ids.map((id, i) => ({ id, content: 'abcde'[i] })));
  });

  it('answers a refused or repeated message in a batch alone, and the others land in the same transaction', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const stranger = await medium.user();
    const roomId = await roomOf(alice, bob);
    const messages = new MessageRepository(medium.server.pychat.dataSource);
    const first = plain(roomId, alice.user.id, 'first');
    await messages.insert(first, []);

    const counter = countStatements(medium.server.pychat.dataSource);
    let settled;
    try {
      settled = await Promise.allSettled([
        messages.insert(plain(roomId, alice.user.id, 'one'), []),
        messages.insert(plain(roomId, stranger.user.id, 'not a member'), []),
        messages.insert({ ...first, content: 'first, again', createdAt: Date.now() }, []),
        messages.insert(plain(roomId, bob.user.id, 'two'), []),
      ]);
    } finally {
      counter.stop();
    }

    expect(shape(counter.statements)).toBe('[iiii]');
    const [one, foreign, again, two] = settled;
    expect(one.status === 'fulfilled' && one.value?.message.content).toBe('one');
    expect(foreign).toEqual({ status: 'fulfilled', value: null });
    expect(again.status === 'rejected' && again.reason).toBeInstanceOf(DuplicateMessageError);
    expect(two.status === 'fulfilled' && two.value?.message.content).toBe('two');
    expect((await stored(roomId)).map((r) => r.content)).toEqual(['first', 'one', 'two']);
  });

  it('rolls a failing batch back and writes each message alone: the failing one gets its error, the others land', async () => {
    const alice = await medium.user();
    const roomId = await roomOf(alice);
    const messages = new MessageRepository(medium.server.pychat.dataSource);
    // created_at is NOT NULL: this row fails its statement for a reason other than a duplicate.
    const broken = { ...plain(roomId, alice.user.id, 'broken'), createdAt: null as unknown as number };

    const counter = countStatements(medium.server.pychat.dataSource);
    let settled;
    try {
      settled = await Promise.allSettled([
        messages.insert(plain(roomId, alice.user.id, 'before'), []),
        messages.insert(broken, []),
        messages.insert(plain(roomId, alice.user.id, 'after'), []),
      ]);
    } finally {
      counter.stop();
    }

    expect(shape(counter.statements)).toBe('[iiRiii');
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await stored(roomId);
    expect(rows.map((r) => r.content)).toEqual(['before', 'after']);
    const [before, , after] = settled;
    expect(before.status === 'fulfilled' && before.value?.message.id).toBe(rows[0]!.id);
    expect(after.status === 'fulfilled' && after.value?.message.id).toBe(rows[1]!.id);
  });

  it('acknowledges each of many senders sending at once with its own stored message, and rejects a foreign room', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => medium.user()));
    const outsider = await medium.user();
    const roomId = await roomOf(members[0]!, ...members.slice(1));
    const sends = members.map((m, i) => ({ roomId, content: `m${i}`, localId: localId() }));

    const [acks, refused] = await Promise.all([
      Promise.all(members.map((m, i) => m.client.request('message.send', sends[i]!))),
      outsider.client.requestError('message.send', { roomId, content: 'x', localId: localId() }),
    ]);

    expect(refused.code).toBe('ROOM_NOT_FOUND');
    expect(acks.map((a) => [a.message.content, a.message.senderId, a.duplicate])).toEqual(
      members.map((m, i) => [`m${i}`, m.user.id, false]),
    );
    const rows = await stored(roomId);
    expect(rows).toEqual(
      [...acks]
        .sort((x, y) => x.message.id - y.message.id)
        .map((a) => a.message)
        .map((m) => ({ id: m.id, content: m.content })),
    );
    // Each sender's own copy arrives with its localId: the client matches it to what it shows as pending.
    await Promise.all(
      members.map((m, i) =>
        m.client.waitFor('message.new', (d) => d.localId === sends[i]!.localId && d.message.id === acks[i]!.message.id),
      ),
    );
  });
});
