import { LIMITS } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { dialect, TestClient, useTestServer, type ConnectedUser } from './harness';
import { countStatements } from './statements';

/**
 * What one connect costs the database (issue 17 target 3): the statements from the upgrade to session.ready.
 * The session with its user and settings; the memberships with their rooms, channels and the small rooms'
 * members; unread counts with newest ids; the directory. (A big room's member count adds one, cached.)
 */
const CONNECT_STATEMENTS = 4;

describe(`connect cost (${dialect})`, () => {
  const medium = useTestServer();

  let rooms = 0;
  async function roomWithMessages(
    owner: ConnectedUser,
    other: ConnectedUser,
    messages: number,
  ): Promise<{ roomId: number; channelId: number }> {
    const { room, channel } = await owner.client.request('channel.create', {
      name: `c${(rooms += 1)}`,
      userIds: [other.user.id],
    });
    await other.client.waitFor('room.added', (d) => d.room.id === room.id);
    for (let i = 0; i < messages; i += 1) {
      await owner.client.request('message.send', { roomId: room.id, content: `m${i}`, localId: `l${room.id}-${i}` });
    }
    return { roomId: room.id, channelId: channel.id };
  }

  it(`builds session.ready in at most ${CONNECT_STATEMENTS} statements, unread counts and newest ids in one`, async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const { roomId: first, channelId } = await roomWithMessages(alice, bob, 3);
    await roomWithMessages(alice, bob, 0);
    await roomWithMessages(bob, alice, 2);
    const { channels } = bob.client.ready;
    const { room: sub } = await alice.client.request('room.create', {
      channelId,
      name: 'sub',
      userIds: [bob.user.id],
    });
    await bob.client.request('settings.update', { theme: 'light', messageSound: false });

    // The set-up's own connects are recorded in a batch up to 250 ms later: written first, so none lands below.
    await medium.server.pychat.flushConnectRecords();
    const counter = countStatements(medium.server.pychat.dataSource);
    let client: TestClient;
    try {
      client = await medium.connect(bob.token);
    } finally {
      counter.stop();
    }
    // What the folded statements carry: the settings, each small room's members, every channel with its main room.
    expect(client.ready.settings).toMatchObject({ theme: 'light', messageSound: false });
    expect(client.ready.rooms.length).toBe(5);
    const subDto = client.ready.rooms.find((r) => r.id === sub.id);
    expect(subDto).toMatchObject({ memberCount: 2, channelId });
    expect(subDto?.members?.map((m) => m.userId)).toEqual([alice.user.id, bob.user.id].sort((a, b) => a - b));
    expect(client.ready.channels.map((c) => c.id)).toHaveLength(channels.length + 3);
    expect(client.ready.channels.find((c) => c.id === channelId)).toMatchObject({ mainRoomId: first });
    const states = new Map(client.ready.states.map((s) => [s.roomId, s]));
    expect([...states.values()].filter((s) => s.unread > 0)).toHaveLength(1);
    expect([...states.values()].filter((s) => s.lastMessageId > 0)).toHaveLength(2);
    expect(counter.statements.length, counter.statements.join('\n')).toBeLessThanOrEqual(CONNECT_STATEMENTS);
  });

  it('sends a room above the inline limit with its member count and no member list, a small one with its list', async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    const { roomId: big } = await roomWithMessages(alice, bob, 1);
    const { roomId: small } = await roomWithMessages(alice, bob, 0);
    // Members straight into the database: signing up 200 users would only slow the test.
    const db = medium.server.pychat.dataSource;
    const extra = LIMITS.roomMembersInlineMax;
    const now = Date.now();
    for (let i = 0; i < extra; i += 1) {
      await db.query('INSERT INTO users (username, created_at, updated_at) VALUES (?, ?, ?)', [
        `cc${big}x${i}`,
        now,
        now,
      ]);
    }
    await db.query(
      'INSERT INTO room_members (room_id, user_id, joined_at) SELECT ?, id, ? FROM users WHERE username LIKE ?',
      [big, now, `cc${big}x%`],
    );

    const client = await medium.connect(bob.token);

    expect(client.ready.rooms.find((r) => r.id === big)).toMatchObject({ memberCount: extra + 2, members: null });
    const smallDto = client.ready.rooms.find((r) => r.id === small);
    expect(smallDto?.memberCount).toBe(2);
    expect(smallDto?.members?.map((m) => m.userId)).toEqual([alice.user.id, bob.user.id].sort((a, b) => a - b));
  });
});
