import { ALL_ROOM_ID, type ClientType, type ServerFrame } from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  busBarrier,
  connectedUser,
  dbState,
  dialect,
  TestClient,
  useTestServer,
  type TestServer,
} from './harness';

type User = Awaited<ReturnType<typeof connectedUser>>;

/** Tables whose row count joins the "nothing was written" check. */
const COUNTED = ['messages', 'room_members', 'rooms'];

/**
 * Frames received after `mark`, minus answers to the client's own requests (reply and error frames with
 * replyTo) and the typing frames in the "all" room used as barriers.
 */
function framesSince(client: TestClient, mark: number): ServerFrame[] {
  return client.frames
    .slice(mark)
    .filter((f) => !('replyTo' in f) && !(f.type === 'typing.started' && f.data.roomId === ALL_ROOM_ID));
}

describe(`authorization (${dialect})`, () => {
  const medium = useTestServer();
  let server: TestServer;
  /** Admin of the channel "team" and of its room "secret". */
  let alice: User;
  /** Member of "team" and "secret". */
  let bob: User;
  /** Member of the "all" room only. */
  let eve: User;
  let channelId: number;
  let roomId: number;
  let directRoomId: number;
  let aliceMessageId: number;
  let bobMessageId: number;

  // The three users live for the whole block (medium.user() sockets close after each test).
  beforeAll(async () => {
    server = medium.server;
    alice = await connectedUser(server);
    bob = await connectedUser(server);
    eve = await connectedUser(server);
    const team = await alice.client.request('channel.create', { name: 'team', userIds: [bob.user.id] });
    channelId = team.channel.id;
    const secret = await alice.client.request('room.create', { channelId, name: 'secret', userIds: [bob.user.id] });
    roomId = secret.room.id;
    await bob.client.waitFor('room.added', (d) => d.room.id === roomId);
    aliceMessageId = (
      await alice.client.request('message.send', { roomId, content: 'alice secret', localId: 'a-secret' })
    ).message.id;
    bobMessageId = (await bob.client.request('message.send', { roomId, content: 'bob secret', localId: 'b-secret' }))
      .message.id;
    directRoomId = (await alice.client.request('room.createDirect', { userId: bob.user.id })).room.id;
    await bob.client.waitFor('room.added', (d) => d.room.id === directRoomId);
    await alice.client.request('message.send', { roomId: directRoomId, content: 'psst', localId: 'a-direct' });
    // Over Redis a fan-out frame may trail its reply: let every setup frame land before the first mark.
    for (const user of [alice, bob]) {
      await user.client.waitFor('message.new', (d) => d.localId === 'a-direct');
    }
    await busBarrier(eve, [alice.client, bob.client]);
  });
  afterAll(async () => {
    for (const user of [alice, bob, eve]) {
      await user.client.close();
    }
  });

  describe('a non-member of a room', () => {
    type Attempt = [name: string, type: ClientType, code: string, data: () => Record<string, unknown>];
    const attempts: Attempt[] = [
      ['read its history', 'message.history', 'ROOM_NOT_FOUND', () => ({ roomId })],
      ['read one of its threads', 'message.history', 'ROOM_NOT_FOUND', () => ({ roomId, threadId: aliceMessageId })],
      ['send to it', 'message.send', 'ROOM_NOT_FOUND', () => ({ roomId, content: 'let me in', localId: 'eve-1' })],
      ['edit in it', 'message.edit', 'MESSAGE_NOT_FOUND', () => ({ messageId: aliceMessageId, content: 'pwned' })],
      ['delete in it', 'message.delete', 'MESSAGE_NOT_FOUND', () => ({ messageId: bobMessageId })],
      ['search it', 'message.search', 'ROOM_NOT_FOUND', () => ({ roomId, query: 'secret' })],
      ['mark it read', 'message.read', 'ROOM_NOT_FOUND', () => ({ roomId, messageId: aliceMessageId })],
      ['mark it unread', 'message.unread', 'ROOM_NOT_FOUND', () => ({ roomId, messageId: aliceMessageId })],
      ['list its members', 'room.members', 'ROOM_NOT_FOUND', () => ({ roomId })],
      ['type in it', 'typing.start', 'ROOM_NOT_FOUND', () => ({ roomId })],
      ['invite herself to it', 'room.invite', 'ROOM_NOT_FOUND', () => ({ roomId, userIds: [eve.user.id] })],
      ['rename it', 'room.update', 'ROOM_NOT_FOUND', () => ({ roomId, name: 'mine' })],
      ['take admin of it', 'room.update', 'ROOM_NOT_FOUND', () => ({ roomId, adminId: eve.user.id })],
      ['change her settings of it', 'room.updateSettings', 'ROOM_NOT_FOUND', () => ({ roomId, volume: 1 })],
      ['leave it', 'room.leave', 'ROOM_NOT_FOUND', () => ({ roomId })],
      ['delete it', 'room.delete', 'ROOM_NOT_FOUND', () => ({ roomId })],
      ['read a direct room of others', 'message.history', 'ROOM_NOT_FOUND', () => ({ roomId: directRoomId })],
      [
        'send to a direct room of others',
        'message.send',
        'ROOM_NOT_FOUND',
        () => ({ roomId: directRoomId, content: 'hi', localId: 'eve-d' }),
      ],
      ['close a direct room of others', 'room.leave', 'ROOM_NOT_FOUND', () => ({ roomId: directRoomId })],
      ['start a call in it', 'call.start', 'ROOM_NOT_FOUND', () => ({ roomId, video: true })],
      [
        'offer a file in a direct room of others',
        'transfer.offer',
        'ROOM_NOT_FOUND',
        () => ({ roomId: directRoomId, file: { name: 'a.txt', size: 1, type: 'text/plain', sha256: 'a'.repeat(64) } }),
      ],
      ['be a p2p device of a direct room of others', 'p2p.join', 'ROOM_NOT_FOUND', () => ({ roomId: directRoomId })],
      [
        'signal in a direct room of others',
        'p2p.signal',
        'ROOM_NOT_FOUND',
        () => ({ roomId: directRoomId, toConnId: 'abc', signal: { candidate: { candidate: '' } } }),
      ],
      [
        'start a call in a direct room of others',
        'call.start',
        'ROOM_NOT_FOUND',
        () => ({ roomId: directRoomId, video: false }),
      ],
      [
        'invite into a direct room of others',
        'room.invite',
        'ROOM_NOT_FOUND',
        () => ({ roomId: directRoomId, userIds: [eve.user.id] }),
      ],
      // Ids of the room used from a room she does belong to.
      [
        'reply in her room to a message of it',
        'message.send',
        'MESSAGE_NOT_FOUND',
        () => ({ roomId: ALL_ROOM_ID, content: 'reply', localId: 'eve-t', parentId: aliceMessageId }),
      ],
      [
        'move her read pointer to a message of it',
        'message.read',
        'MESSAGE_NOT_FOUND',
        () => ({ roomId: ALL_ROOM_ID, messageId: bobMessageId }),
      ],
      [
        'move her read pointer back to a message of it',
        'message.unread',
        'MESSAGE_NOT_FOUND',
        () => ({ roomId: ALL_ROOM_ID, messageId: bobMessageId }),
      ],
      [
        'read a thread of it through her room',
        'message.history',
        'MESSAGE_NOT_FOUND',
        () => ({ roomId: ALL_ROOM_ID, threadId: aliceMessageId }),
      ],
      // The channel around it.
      [
        'create a room in its channel',
        'room.create',
        'CHANNEL_NOT_FOUND',
        () => ({ channelId, name: 'side', userIds: [] }),
      ],
      ['rename its channel', 'channel.update', 'CHANNEL_NOT_FOUND', () => ({ channelId, name: 'mine' })],
      ['take admin of its channel', 'channel.update', 'CHANNEL_NOT_FOUND', () => ({ channelId, adminId: eve.user.id })],
      ['leave its channel', 'channel.leave', 'CHANNEL_NOT_FOUND', () => ({ channelId })],
      ['delete its channel', 'channel.delete', 'CHANNEL_NOT_FOUND', () => ({ channelId })],
    ];

    it.each(attempts)(
      'cannot %s (%s → %s): nothing written, no member hears of it',
      async (_name, type, code, data) => {
        const before = await dbState(server, COUNTED);
        const marks = [alice, bob, eve].map((u) => u.client.frames.length);

        const error = await eve.client.requestError(type, data());
        expect(error.code).toBe(code);

        await busBarrier(eve, [alice.client, bob.client]);
        await eve.client.settle();
        expect(framesSince(alice.client, marks[0]!)).toEqual([]);
        expect(framesSince(bob.client, marks[1]!)).toEqual([]);
        expect(framesSince(eve.client, marks[2]!)).toEqual([]);
        expect(await dbState(server, COUNTED)).toEqual(before);
      },
    );

    it('finds none of its messages in a search of all her rooms', async () => {
      const mine = await eve.client.request('message.search', { query: 'secret' });
      expect(mine.messages.filter((m) => m.roomId === roomId)).toEqual([]);
      const theirs = await bob.client.request('message.search', { query: 'alice secret' });
      expect(theirs.messages.map((m) => m.roomId)).toContain(roomId);
    });

    it('gets the same answer for a room she may not see as for a room that does not exist', async () => {
      const hidden = await eve.client.requestError('message.history', { roomId });
      const missing = await eve.client.requestError('message.history', { roomId: 987_654 });
      expect(hidden.code).toBe(missing.code);
      expect(hidden.message.replace(String(roomId), 'N')).toBe(missing.message.replace('987654', 'N'));
      const hiddenMessage = await eve.client.requestError('message.edit', { messageId: aliceMessageId, content: 'x' });
      const missingMessage = await eve.client.requestError('message.edit', { messageId: 987_654, content: 'x' });
      expect(hiddenMessage.code).toBe(missingMessage.code);
      expect(hiddenMessage.message.replace(String(aliceMessageId), 'N')).toBe(
        missingMessage.message.replace('987654', 'N'),
      );
    });

    it('gets the room reported as removed by message.sync, with none of its messages', async () => {
      const reply = await eve.client.request('message.sync', {
        rooms: [
          { roomId, lastMessageId: 0, since: 0 },
          { roomId: directRoomId, lastMessageId: 0, since: 0 },
        ],
      });
      expect(reply.rooms).toEqual([]);
      expect(reply.removedRoomIds.sort()).toEqual([roomId, directRoomId].sort());
    });

    it('does not see the room or its channel in session.ready or in her "all" room search', async () => {
      expect(eve.client.ready.rooms.map((r) => r.id)).not.toContain(roomId);
      expect(eve.client.ready.channels.map((c) => c.id)).not.toContain(channelId);
      const found = await eve.client.request('message.search', { roomId: ALL_ROOM_ID, query: 'secret' });
      expect(found.messages).toEqual([]);
    });

    it('receives none of its message.new, message.edited, message.deleted, typing.started, message.read, room.updated', async () => {
      const eveMark = eve.client.frames.length;
      const sent = await alice.client.request('message.send', { roomId, content: 'members only', localId: 'a-2' });
      await bob.client.waitFor('message.new', (d) => d.message.id === sent.message.id);
      await alice.client.request('message.edit', { messageId: sent.message.id, content: 'members only!' });
      await bob.client.waitFor('message.edited', (d) => d.message.id === sent.message.id);
      await bob.client.request('typing.start', { roomId });
      await alice.client.waitFor('typing.started', (d) => d.roomId === roomId && d.userId === bob.user.id);
      await bob.client.request('message.read', { roomId, messageId: sent.message.id });
      await alice.client.waitFor('message.read', (d) => d.roomId === roomId && d.userId === bob.user.id);
      await alice.client.request('room.updateSettings', { roomId, volume: 50 });
      await bob.client.request('room.update', { roomId, name: 'secret2' });
      await alice.client.waitFor('room.updated', (d) => d.room.id === roomId && d.room.name === 'secret2');
      await alice.client.request('message.delete', { messageId: sent.message.id });
      await bob.client.waitFor('message.deleted', (d) => d.message.id === sent.message.id);
      await alice.client.request('message.send', { roomId: directRoomId, content: 'direct', localId: 'a-d2' });
      await bob.client.waitFor('message.new', (d) => d.message.roomId === directRoomId && d.localId === 'a-d2');

      // Members got everything on the same bus before this barrier; eve, on the same node, got nothing.
      await busBarrier(alice, [eve.client]);
      expect(framesSince(eve.client, eveMark)).toEqual([]);
    });
  });

  describe('a member who is not the author or the admin', () => {
    let allRoomMessageId = 0;
    beforeAll(async () => {
      allRoomMessageId = (
        await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'public', localId: 'a-public' })
      ).message.id;
      for (const user of [alice, bob, eve]) {
        await user.client.waitFor('message.new', (d) => d.message.id === allRoomMessageId);
      }
    });

    it.each([
      ['edit', 'message.edit', () => ({ messageId: aliceMessageId, content: 'bob was here' })],
      ['delete', 'message.delete', () => ({ messageId: aliceMessageId })],
      ['edit in the "all" room', 'message.edit', () => ({ messageId: allRoomMessageId, content: 'bob was here' })],
      ['delete in the "all" room', 'message.delete', () => ({ messageId: allRoomMessageId })],
    ] as const)('cannot %s someone else’s message: NOT_MESSAGE_AUTHOR, no change', async (_name, type, data) => {
      const before = await dbState(server, COUNTED);
      const marks = [alice, eve].map((u) => u.client.frames.length);
      const error = await bob.client.requestError(type, data());
      expect(error.code).toBe('NOT_MESSAGE_AUTHOR');
      await busBarrier(bob, [alice.client, eve.client]);
      expect(framesSince(alice.client, marks[0]!)).toEqual([]);
      expect(framesSince(eve.client, marks[1]!)).toEqual([]);
      expect(await dbState(server, COUNTED)).toEqual(before);
      const history = await alice.client.request('message.history', { roomId, limit: 100 });
      expect(history.messages.find((m) => m.id === aliceMessageId)).toMatchObject({
        content: 'alice secret',
        editedAt: null,
        deleted: false,
      });
    });

    it('cannot hand over admin of a room: NOT_ROOM_ADMIN, no change', async () => {
      const before = await dbState(server, COUNTED);
      const error = await bob.client.requestError('room.update', { roomId, adminId: bob.user.id });
      expect(error.code).toBe('NOT_ROOM_ADMIN');
      expect(await dbState(server, COUNTED)).toEqual(before);
    });

    it('cannot delete a room: NOT_ROOM_ADMIN, the room stays and keeps working', async () => {
      const before = await dbState(server, COUNTED);
      const aliceMark = alice.client.frames.length;
      const error = await bob.client.requestError('room.delete', { roomId });
      expect(error.code).toBe('NOT_ROOM_ADMIN');
      await busBarrier(bob, [alice.client]);
      expect(framesSince(alice.client, aliceMark)).toEqual([]);
      expect(await dbState(server, COUNTED)).toEqual(before);
      const sent = await bob.client.request('message.send', { roomId, content: 'still here', localId: 'b-still' });
      await alice.client.waitFor('message.new', (d) => d.message.id === sent.message.id);
    });

    it('cannot delete the channel: NOT_CHANNEL_ADMIN', async () => {
      const before = await dbState(server, COUNTED);
      expect((await bob.client.requestError('channel.delete', { channelId })).code).toBe('NOT_CHANNEL_ADMIN');
      expect(await dbState(server, COUNTED)).toEqual(before);
    });

    it('cannot leave, delete or rename the "all" room, nor invite into it someone already there', async () => {
      const before = await dbState(server, COUNTED);
      expect((await bob.client.requestError('room.leave', { roomId: ALL_ROOM_ID })).code).toBe('CANNOT_LEAVE_ALL');
      expect((await bob.client.requestError('room.delete', { roomId: ALL_ROOM_ID })).code).toBe('INVALID_OPERATION');
      expect((await bob.client.requestError('room.update', { roomId: ALL_ROOM_ID, name: 'mine' })).code).toBe(
        'INVALID_OPERATION',
      );
      expect((await bob.client.requestError('channel.leave', { channelId: 1 })).code).toBe('CANNOT_LEAVE_ALL');
      expect((await bob.client.requestError('channel.delete', { channelId: 1 })).code).toBe('INVALID_OPERATION');
      expect((await bob.client.requestError('room.invite', { roomId: ALL_ROOM_ID, userIds: [eve.user.id] })).code).toBe(
        'ALREADY_MEMBER',
      );
      expect(await dbState(server, COUNTED)).toEqual(before);
    });
  });

  describe('channel membership', () => {
    it('lets nobody invite or add someone from outside the channel into its rooms: NOT_CHANNEL_MEMBER', async () => {
      const before = await dbState(server, COUNTED);
      const invite = await alice.client.requestError('room.invite', { roomId, userIds: [eve.user.id] });
      expect(invite.code).toBe('NOT_CHANNEL_MEMBER');
      const create = await alice.client.requestError('room.create', {
        channelId,
        name: 'withEve',
        userIds: [eve.user.id],
      });
      expect(create.code).toBe('NOT_CHANNEL_MEMBER');
      expect(await dbState(server, COUNTED)).toEqual(before);
      expect((await eve.client.requestError('message.history', { roomId })).code).toBe('ROOM_NOT_FOUND');
    });

    it('does not open the rooms of a channel to a new channel member', async () => {
      const mainRoomId = alice.client.all('room.added').find((d) => d.channel?.id === channelId)?.channel?.mainRoomId;
      expect(mainRoomId).toEqual(expect.any(Number));
      await alice.client.request('room.invite', { roomId: mainRoomId!, userIds: [eve.user.id] });
      await eve.client.waitFor('room.added', (d) => d.room.id === mainRoomId);
      await eve.client.waitFor('channel.added', (d) => d.channel.id === channelId);

      const eveMark = eve.client.frames.length;
      expect((await eve.client.requestError('message.history', { roomId })).code).toBe('ROOM_NOT_FOUND');
      expect((await eve.client.requestError('room.members', { roomId })).code).toBe('ROOM_NOT_FOUND');
      const res = await api(server, 'GET', `/api/rooms/${roomId}/messages`, undefined, eve.token);
      expect(res).toMatchObject({ status: 404, body: { code: 'ROOM_NOT_FOUND' } });
      const sent = await alice.client.request('message.send', { roomId, content: 'not for eve', localId: 'a-ne' });
      await bob.client.waitFor('message.new', (d) => d.message.id === sent.message.id);
      await busBarrier(alice, [eve.client]);
      expect(framesSince(eve.client, eveMark)).toEqual([]);

      // A channel member may not hand over the channel either.
      const before = await dbState(server, COUNTED);
      expect((await eve.client.requestError('channel.update', { channelId, adminId: eve.user.id })).code).toBe(
        'NOT_CHANNEL_ADMIN',
      );
      expect((await eve.client.requestError('channel.delete', { channelId })).code).toBe('NOT_CHANNEL_ADMIN');
      expect(await dbState(server, COUNTED)).toEqual(before);

      await eve.client.request('channel.leave', { channelId });
      await eve.client.waitFor('channel.removed', (d) => d.channelId === channelId);
      expect((await eve.client.requestError('message.history', { roomId: mainRoomId! })).code).toBe('ROOM_NOT_FOUND');
    });
  });

  describe('room deletion by its admin', () => {
    it('removes the room for every member at once; afterwards nobody can use it', async () => {
      const room = await alice.client.request('room.create', { channelId, name: 'doomed', userIds: [bob.user.id] });
      const doomedId = room.room.id;
      await bob.client.waitFor('room.added', (d) => d.room.id === doomedId);
      await alice.client.request('room.delete', { roomId: doomedId });
      await bob.client.waitFor('room.removed', (d) => d.roomId === doomedId);
      await alice.client.waitFor('room.removed', (d) => d.roomId === doomedId);

      for (const user of [alice, bob]) {
        expect(
          (await user.client.requestError('message.send', { roomId: doomedId, content: 'x', localId: 'dead' })).code,
        ).toBe('ROOM_NOT_FOUND');
        expect((await user.client.requestError('message.history', { roomId: doomedId })).code).toBe('ROOM_NOT_FOUND');
        expect((await user.client.requestError('room.delete', { roomId: doomedId })).code).toBe('ROOM_NOT_FOUND');
      }
      const res = await api(server, 'GET', `/api/rooms/${doomedId}/messages`, undefined, alice.token);
      expect(res).toMatchObject({ status: 404, body: { code: 'ROOM_NOT_FOUND' } });
    });
  });

  describe('leaving a room', () => {
    it('stops its frames at once, on every tab, and closes its history', async () => {
      const created = await alice.client.request('room.create', { channelId, name: 'leaveme', userIds: [bob.user.id] });
      const leaveId = created.room.id;
      await bob.client.waitFor('room.added', (d) => d.room.id === leaveId);
      // A second tab of bob's, connected after he joined, must stop too.
      const bobTab = await medium.connect(bob.token);
      expect(bobTab.ready.rooms.map((r) => r.id)).toContain(leaveId);
      const before = await alice.client.request('message.send', { roomId: leaveId, content: 'before', localId: 'l-1' });
      await bobTab.waitFor('message.new', (d) => d.message.id === before.message.id);

      await bob.client.request('room.leave', { roomId: leaveId });
      await bob.client.waitFor('room.removed', (d) => d.roomId === leaveId);
      await bobTab.waitFor('room.removed', (d) => d.roomId === leaveId);
      const updated = await alice.client.waitFor('room.updated', (d) => d.room.id === leaveId);
      expect(updated.room.members?.map((m) => m.userId)).toEqual([alice.user.id]);

      const marks = [bob.client.frames.length, bobTab.frames.length];
      const after = await alice.client.request('message.send', { roomId: leaveId, content: 'after', localId: 'l-2' });
      await alice.client.request('typing.start', { roomId: leaveId });
      await alice.client.request('message.read', { roomId: leaveId, messageId: after.message.id });
      await alice.client.request('room.update', { roomId: leaveId, name: 'renamed' });
      await busBarrier(alice, [bob.client, bobTab]);
      expect(framesSince(bob.client, marks[0]!)).toEqual([]);
      expect(framesSince(bobTab, marks[1]!)).toEqual([]);

      expect((await bob.client.requestError('message.history', { roomId: leaveId })).code).toBe('ROOM_NOT_FOUND');
      expect((await bobTab.requestError('message.send', { roomId: leaveId, content: 'x', localId: 'l-3' })).code).toBe(
        'ROOM_NOT_FOUND',
      );
      const res = await api(server, 'GET', `/api/rooms/${leaveId}/messages`, undefined, bob.token);
      expect(res).toMatchObject({ status: 404, body: { code: 'ROOM_NOT_FOUND' } });
      const sync = await bob.client.request('message.sync', {
        rooms: [{ roomId: leaveId, lastMessageId: 0, since: 0 }],
      });
      expect(sync).toMatchObject({ rooms: [], removedRoomIds: [leaveId] });
    });

    it('closes a direct room for both members', async () => {
      const direct = await eve.client.request('room.createDirect', { userId: bob.user.id });
      const id = direct.room.id;
      await bob.client.waitFor('room.added', (d) => d.room.id === id);
      await eve.client.request('room.leave', { roomId: id });
      await bob.client.waitFor('room.removed', (d) => d.roomId === id);
      expect((await bob.client.requestError('message.send', { roomId: id, content: 'x', localId: 'dd' })).code).toBe(
        'ROOM_NOT_FOUND',
      );
      const res = await api(server, 'GET', `/api/rooms/${id}/members`, undefined, bob.token);
      expect(res).toMatchObject({ status: 404, body: { code: 'ROOM_NOT_FOUND' } });
    });
  });

  describe('over REST', () => {
    it('answers 404 ROOM_NOT_FOUND for the members and messages of a foreign room, 200 for a member', async () => {
      for (const path of [
        `/api/rooms/${roomId}/members`,
        `/api/rooms/${roomId}/messages`,
        `/api/rooms/${directRoomId}/messages`,
      ]) {
        expect(await api(server, 'GET', path, undefined, eve.token)).toMatchObject({
          status: 404,
          body: { code: 'ROOM_NOT_FOUND' },
        });
        expect((await api(server, 'GET', path, undefined, bob.token)).status).toBe(200);
      }
      const members = await api<{ members: { userId: number }[] }>(
        server,
        'GET',
        `/api/rooms/${roomId}/members`,
        undefined,
        bob.token,
      );
      expect(members.body.members.map((m) => m.userId).sort((a, b) => a - b)).toEqual(
        [alice.user.id, bob.user.id].sort((a, b) => a - b),
      );
    });

    it('answers a foreign thread through an own room with 404 MESSAGE_NOT_FOUND', async () => {
      const res = await api(
        server,
        'GET',
        `/api/rooms/${ALL_ROOM_ID}/messages?threadId=${aliceMessageId}`,
        undefined,
        eve.token,
      );
      expect(res).toMatchObject({ status: 404, body: { code: 'MESSAGE_NOT_FOUND' } });
    });

    it('does not list a foreign room in GET /api/rooms', async () => {
      const res = await api<{ rooms: { id: number }[]; channels: { id: number }[] }>(
        server,
        'GET',
        '/api/rooms',
        undefined,
        eve.token,
      );
      expect(res.status).toBe(200);
      expect(res.body.rooms.map((r) => r.id)).not.toContain(roomId);
      expect(res.body.rooms.map((r) => r.id)).not.toContain(directRoomId);
      expect(res.body.channels.map((c) => c.id)).not.toContain(channelId);
    });

    it.each([
      '/api/users',
      '/api/users/me',
      '/api/users/1/profile',
      '/api/rooms',
      `/api/rooms/${ALL_ROOM_ID}/members`,
      `/api/rooms/${ALL_ROOM_ID}/messages`,
      '/api/rooms/987654/messages',
    ])('answers GET %s without session with 401 UNAUTHENTICATED', async (path) => {
      expect(await api(server, 'GET', path)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(await api(server, 'GET', path, undefined, 'forged-token-forged-token-forged')).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED' },
      });
    });

    it.each(['abc', '0', '-1', '1.5', '9007199254740993'])(
      'answers room id %s with 400 VALIDATION_FAILED',
      async (id) => {
        expect(await api(server, 'GET', `/api/rooms/${id}/messages`, undefined, eve.token)).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      },
    );
  });
});
