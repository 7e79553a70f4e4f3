import { ALL_CHANNEL_ID, ALL_ROOM_ID, type ServerEventType, type ServerMessages } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { type ConnectedUser, dialect, settleAll, TestClient, useTestServer } from './harness';

type User = ConnectedUser;

describe(`rooms and channels (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let localIds = 0;

  /** Another socket of an existing user: a second tab, or a fresh connection to read its session.ready. */
  async function connect(u: User): Promise<TestClient> {
    return medium.connect(u.token);
  }

  /** Frames of a type that concern one room or channel, whatever the frame's shape. */
  function about<K extends ServerEventType>(client: TestClient, type: K, id: number): ServerMessages[K][] {
    return client.all(type).filter((data) => {
      const d = data as Partial<{ room: { id: number }; roomId: number; channel: { id: number }; channelId: number }>;
      return d.room?.id === id || d.roomId === id || d.channel?.id === id || d.channelId === id;
    });
  }

  /** Like waitFor, but only frames that arrive from now on: the client may already hold an older one. */
  function nextFrame<K extends ServerEventType>(
    client: TestClient,
    type: K,
    predicate: (data: ServerMessages[K]) => boolean,
  ): Promise<ServerMessages[K]> {
    const skip = client.frames.length;
    return client
      .waitFor((f) => f.type === type && client.frames.indexOf(f) >= skip && predicate(f.data as ServerMessages[K]))
      .then((f) => f.data as ServerMessages[K]);
  }

  async function channel(owner: User, ...members: User[]) {
    const created = await owner.client.request('channel.create', {
      name: 'team',
      userIds: members.map((m) => m.user.id),
    });
    await Promise.all(members.map((m) => m.client.waitFor('room.added', (d) => d.room.id === created.room.id)));
    return { channelId: created.channel.id, mainRoomId: created.room.id };
  }

  async function subRoom(owner: User, channelId: number, ...members: User[]): Promise<number> {
    const { room } = await owner.client.request('room.create', {
      channelId,
      name: 'sub',
      userIds: members.map((m) => m.user.id),
    });
    await Promise.all(members.map((m) => m.client.waitFor('room.added', (d) => d.room.id === room.id)));
    return room.id;
  }

  async function send(sender: User, roomId: number, content: string) {
    localIds += 1;
    return (await sender.client.request('message.send', { roomId, content, localId: `r${localIds}` })).message;
  }

  const memberIds = (room: { members: { userId: number }[] | null }) => (room.members ?? []).map((m) => m.userId);
  const sorted = (...values: number[]) => [...values].sort((a, b) => a - b);

  describe('channel.create', () => {
    it('gives members channel.added and room.added for its main room, and outsiders nothing', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();

      const reply = await alice.client.request('channel.create', { name: ' team ', userIds: [bob.user.id] });
      expect(reply.channel).toEqual({
        id: reply.channel.id,
        name: 'team',
        adminId: alice.user.id,
        mainRoomId: reply.room.id,
        isPublic: false,
        topic: '',
      });
      expect(reply.room).toMatchObject({
        kind: 'channel',
        name: 'team',
        channelId: reply.channel.id,
        adminId: alice.user.id,
      });
      expect(memberIds(reply.room)).toEqual(sorted(alice.user.id, bob.user.id));
      expect(reply.state).toMatchObject({ roomId: reply.room.id, unread: 0, lastMessageId: 0 });

      for (const member of [alice, bob]) {
        expect(await member.client.waitFor('channel.added', (d) => d.channel.id === reply.channel.id)).toEqual({
          channel: reply.channel,
        });
        const added = await member.client.waitFor('room.added', (d) => d.room.id === reply.room.id);
        expect(added.channel).toEqual(reply.channel);
        expect(added.state.roomId).toBe(reply.room.id);
      }
      await settleAll(carol.client);
      expect(about(carol.client, 'channel.added', reply.channel.id)).toEqual([]);
      expect(about(carol.client, 'room.added', reply.room.id)).toEqual([]);

      const fresh = await connect(bob);
      expect(fresh.ready.channels).toContainEqual(reply.channel);
      expect(fresh.ready.rooms.map((r) => r.id)).toContain(reply.room.id);
      expect((await connect(carol)).ready.rooms.map((r) => r.id)).not.toContain(reply.room.id);
    });

    it('refuses unknown users and bad names, creating nothing', async () => {
      const alice = await user();
      expect((await alice.client.requestError('channel.create', { name: 'x', userIds: [999_999] })).code).toBe(
        'USER_NOT_FOUND',
      );
      for (const name of ['', '   ', 'a'.repeat(17)]) {
        expect((await alice.client.requestError('channel.create', { name, userIds: [] })).code).toBe(
          'VALIDATION_FAILED',
        );
      }
      await settleAll(alice.client);
      expect(alice.client.all('channel.added')).toEqual([]);
      expect((await connect(alice)).ready.channels.map((c) => c.id)).toEqual([ALL_CHANNEL_ID]);
    });
  });

  describe('room.create', () => {
    it('creates a room in a channel: invitees get room.added, other channel members and outsiders do not', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const { channelId, mainRoomId } = await channel(alice, bob, carol);

      const reply = await alice.client.request('room.create', { channelId, name: 'design', userIds: [bob.user.id] });
      expect(reply.room).toMatchObject({ kind: 'room', name: 'design', channelId, adminId: alice.user.id, p2p: false });
      expect(memberIds(reply.room)).toEqual(sorted(alice.user.id, bob.user.id));

      const atBob = await bob.client.waitFor('room.added', (d) => d.room.id === reply.room.id);
      expect(atBob.room).toEqual(reply.room);
      expect(atBob.channel).toEqual({
        id: channelId,
        name: 'team',
        adminId: alice.user.id,
        mainRoomId,
        isPublic: false,
        topic: '',
      });
      await alice.client.waitFor('room.added', (d) => d.room.id === reply.room.id);
      await settleAll(carol.client, dave.client);
      expect(about(carol.client, 'room.added', reply.room.id)).toEqual([]);
      expect(about(dave.client, 'room.added', reply.room.id)).toEqual([]);
    });

    it('accepts channel members only, as creator and as invitees', async () => {
      const alice = await user();
      const bob = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob);

      const outsider = await alice.client.requestError('room.create', {
        channelId,
        name: 'x',
        userIds: [dave.user.id],
      });
      expect(outsider.code).toBe('NOT_CHANNEL_MEMBER');
      const notIn = await dave.client.requestError('room.create', { channelId, name: 'x', userIds: [] });
      expect(notIn.code).toBe('CHANNEL_NOT_FOUND');
      const unknown = await alice.client.requestError('room.create', { channelId: 999_999, name: 'x', userIds: [] });
      expect(unknown.code).toBe('CHANNEL_NOT_FOUND');

      // Any channel member may create one, not only the channel admin.
      const byBob = await bob.client.request('room.create', { channelId, name: 'bobs', userIds: [alice.user.id] });
      expect(byBob.room.adminId).toBe(bob.user.id);
      await settleAll(dave.client);
      expect(dave.client.all('room.added')).toEqual([]);
    });
  });

  describe('room.createDirect', () => {
    it('opens one direct room per pair and returns the live one again', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();

      const first = await alice.client.request('room.createDirect', { userId: bob.user.id });
      expect(first.room).toMatchObject({ kind: 'direct', name: null, channelId: null, adminId: null, p2p: false });
      expect(memberIds(first.room)).toEqual(sorted(alice.user.id, bob.user.id));
      const atBob = await bob.client.waitFor('room.added', (d) => d.room.id === first.room.id);
      expect(atBob.channel).toBeNull();

      const again = await alice.client.request('room.createDirect', { userId: bob.user.id });
      expect(again.room.id).toBe(first.room.id);
      const fromBob = await bob.client.request('room.createDirect', { userId: alice.user.id });
      expect(fromBob.room.id).toBe(first.room.id);

      await settleAll(alice.client, bob.client, carol.client);
      // Re-opening a live room is no news: nobody gets a second room.added.
      expect(about(bob.client, 'room.added', first.room.id)).toHaveLength(1);
      expect(about(alice.client, 'room.added', first.room.id)).toHaveLength(1);
      expect(about(carol.client, 'room.added', first.room.id)).toEqual([]);

      expect((await alice.client.requestError('room.createDirect', { userId: alice.user.id })).code).toBe(
        'INVALID_OPERATION',
      );
      expect((await alice.client.requestError('room.createDirect', { userId: 999_999 })).code).toBe('USER_NOT_FOUND');
    });

    it('closes for both when one leaves, and revives with history and read state kept', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { room } = await alice.client.request('room.createDirect', { userId: bob.user.id });
      await bob.client.waitFor('room.added', (d) => d.room.id === room.id);
      const read = await send(alice, room.id, 'read by bob');
      await bob.client.request('message.read', { roomId: room.id, messageId: read.id });
      const unread = await send(alice, room.id, 'not read yet');

      await alice.client.request('room.leave', { roomId: room.id });
      await alice.client.waitFor('room.removed', (d) => d.roomId === room.id);
      await bob.client.waitFor('room.removed', (d) => d.roomId === room.id);
      await settleAll(carol.client);
      expect(about(carol.client, 'room.removed', room.id)).toEqual([]);
      const closed = await bob.client.requestError('message.send', {
        roomId: room.id,
        content: 'hello?',
        localId: 'x',
      });
      expect(closed.code).toBe('ROOM_NOT_FOUND');
      expect((await connect(bob)).ready.rooms.map((r) => r.id)).not.toContain(room.id);

      const revivedAtAlice = nextFrame(alice.client, 'room.added', (d) => d.room.id === room.id);
      const revived = await bob.client.request('room.createDirect', { userId: alice.user.id });
      expect(revived.room.id).toBe(room.id);
      expect(revived.state).toMatchObject({ unread: 1, lastMessageId: unread.id });
      const atAlice = await revivedAtAlice;
      expect(atAlice.state).toMatchObject({ unread: 0, lastMessageId: unread.id });
      const history = await bob.client.request('message.history', { roomId: room.id });
      expect(history.messages.map((m) => m.id)).toEqual([read.id, unread.id]);

      // What bob had read stays read: a fresh connection agrees with the revived state.
      const fresh = await connect(bob);
      expect(fresh.ready.states.find((s) => s.roomId === room.id)).toMatchObject({
        unread: 1,
        lastMessageId: unread.id,
      });
      const { members } = await bob.client.request('room.members', { roomId: room.id });
      expect(members.find((m) => m.userId === bob.user.id)?.lastReadMessageId).toBe(read.id);
    });
  });

  describe('room.invite', () => {
    it('adds channel members: invitees get room.added, members room.updated, outsiders nothing', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob);
      const before = await send(alice, roomId, 'before carol came');

      const reply = await bob.client.request('room.invite', { roomId, userIds: [carol.user.id] });
      expect(memberIds(reply.room)).toEqual(sorted(alice.user.id, bob.user.id, carol.user.id));

      const atCarol = await carol.client.waitFor('room.added', (d) => d.room.id === roomId);
      expect(atCarol.room).toEqual(reply.room);
      expect(atCarol.channel?.id).toBe(channelId);
      expect(atCarol.state).toMatchObject({ roomId, unread: 0, lastMessageId: before.id });
      for (const member of [alice, bob]) {
        const updated = await member.client.waitFor('room.updated', (d) => d.room.id === roomId);
        expect(memberIds(updated.room)).toEqual(memberIds(reply.room));
      }
      await settleAll(dave.client);
      expect(about(dave.client, 'room.updated', roomId)).toEqual([]);
      expect(about(dave.client, 'room.added', roomId)).toEqual([]);
      // History from before the invitation is readable but not "unread": a reconnect agrees with room.added.
      expect((await carol.client.request('message.history', { roomId })).messages.map((m) => m.id)).toEqual([
        before.id,
      ]);
      expect((await connect(carol)).ready.states.find((s) => s.roomId === roomId)).toMatchObject({
        unread: 0,
        lastMessageId: before.id,
      });

      // The new member hears the room from now on.
      const after = await send(alice, roomId, 'welcome');
      await carol.client.waitFor('message.new', (d) => d.message.id === after.id);
    });

    it('refuses members, non-channel members, direct rooms and outsiders', async () => {
      const alice = await user();
      const bob = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob);
      const roomId = await subRoom(alice, channelId, bob);
      const { room: direct } = await alice.client.request('room.createDirect', { userId: bob.user.id });

      const cases: [User, unknown, string][] = [
        [alice, { roomId, userIds: [bob.user.id] }, 'ALREADY_MEMBER'],
        [alice, { roomId, userIds: [dave.user.id] }, 'NOT_CHANNEL_MEMBER'],
        [alice, { roomId, userIds: [999_999] }, 'USER_NOT_FOUND'],
        [alice, { roomId: direct.id, userIds: [dave.user.id] }, 'INVALID_OPERATION'],
        [dave, { roomId, userIds: [dave.user.id] }, 'ROOM_NOT_FOUND'],
        [alice, { roomId, userIds: [] }, 'VALIDATION_FAILED'],
      ];
      for (const [who, data, code] of cases) {
        expect((await who.client.requestError('room.invite', data)).code).toBe(code);
      }
      await settleAll(dave.client);
      expect(dave.client.all('room.added')).toEqual([]);
      const { members } = await alice.client.request('room.members', { roomId });
      expect(members.map((m) => m.userId)).toEqual(sorted(alice.user.id, bob.user.id));
    });

    it("gives someone invited into a channel's main room the channel too", async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { channelId, mainRoomId } = await channel(alice);

      await alice.client.request('room.invite', { roomId: mainRoomId, userIds: [bob.user.id] });
      const added = await bob.client.waitFor('channel.added', (d) => d.channel.id === channelId);
      expect(added.channel).toEqual({
        id: channelId,
        name: 'team',
        adminId: alice.user.id,
        mainRoomId,
        isPublic: false,
        topic: '',
      });
      await bob.client.waitFor('room.added', (d) => d.room.id === mainRoomId);
      await settleAll(alice.client, carol.client);
      // The admin already had the channel; an outsider never hears of it.
      expect(about(alice.client, 'channel.added', channelId)).toHaveLength(1);
      expect(about(carol.client, 'channel.added', channelId)).toEqual([]);
      // Now bob is a channel member, so he can be put in its rooms.
      await subRoom(alice, channelId, bob);
    });
  });

  describe('room.leave', () => {
    it('refuses the "all" room and a channel main room', async () => {
      const alice = await user();
      const { mainRoomId } = await channel(alice);
      expect((await alice.client.requestError('room.leave', { roomId: ALL_ROOM_ID })).code).toBe('CANNOT_LEAVE_ALL');
      expect((await alice.client.requestError('room.leave', { roomId: mainRoomId })).code).toBe('INVALID_OPERATION');
      expect((await connect(alice)).ready.rooms.map((r) => r.id)).toEqual(
        expect.arrayContaining([ALL_ROOM_ID, mainRoomId]),
      );
    });

    it('gives the leaver room.removed and the others room.updated; an admin leaves the room admin-less', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob, carol);
      const bobTab2 = await connect(bob);

      await bob.client.request('room.leave', { roomId });
      // Every tab of the leaver drops the room.
      await bob.client.waitFor('room.removed', (d) => d.roomId === roomId);
      await bobTab2.waitFor('room.removed', (d) => d.roomId === roomId);
      for (const member of [alice, carol]) {
        const updated = await member.client.waitFor('room.updated', (d) => d.room.id === roomId);
        expect(memberIds(updated.room)).toEqual(sorted(alice.user.id, carol.user.id));
      }
      const after = await send(carol, roomId, 'bob is gone');
      await alice.client.waitFor('message.new', (d) => d.message.id === after.id);
      await settleAll(bob.client, bobTab2, dave.client);
      expect(about(bob.client, 'room.updated', roomId)).toEqual([]);
      expect(bob.client.all('message.new').some((d) => d.message.roomId === roomId)).toBe(false);
      expect(about(dave.client, 'room.updated', roomId)).toEqual([]);
      expect(about(dave.client, 'room.removed', roomId)).toEqual([]);
      expect((await bob.client.requestError('message.history', { roomId })).code).toBe('ROOM_NOT_FOUND');

      await alice.client.request('room.leave', { roomId });
      const adminless = await carol.client.waitFor(
        'room.updated',
        (d) => d.room.id === roomId && d.room.adminId === null,
      );
      expect(memberIds(adminless.room)).toEqual([carol.user.id]);
    });
  });

  describe('room.delete', () => {
    it('lets only the admin delete a room, which every member then loses', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { channelId, mainRoomId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob);
      await send(bob, roomId, 'soon gone');

      expect((await bob.client.requestError('room.delete', { roomId })).code).toBe('NOT_ROOM_ADMIN');
      expect((await carol.client.requestError('room.delete', { roomId })).code).toBe('ROOM_NOT_FOUND');
      expect((await alice.client.requestError('room.delete', { roomId: mainRoomId })).code).toBe('INVALID_OPERATION');
      await settleAll(alice.client, bob.client);
      expect(about(bob.client, 'room.removed', roomId)).toEqual([]);

      await alice.client.request('room.delete', { roomId });
      await alice.client.waitFor('room.removed', (d) => d.roomId === roomId);
      await bob.client.waitFor('room.removed', (d) => d.roomId === roomId);
      await settleAll(carol.client);
      expect(about(carol.client, 'room.removed', roomId)).toEqual([]);
      expect((await bob.client.requestError('message.history', { roomId })).code).toBe('ROOM_NOT_FOUND');
      expect((await connect(alice)).ready.rooms.map((r) => r.id)).not.toContain(roomId);
      // The channel itself is untouched.
      expect((await connect(bob)).ready.rooms.map((r) => r.id)).toContain(mainRoomId);
    });
  });

  describe('room.update', () => {
    it('lets any member rename a room; members see room.updated, others do not', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob);

      const reply = await bob.client.request('room.update', { roomId, name: 'renamed' });
      expect(reply.room).toMatchObject({ id: roomId, name: 'renamed', adminId: alice.user.id });
      for (const member of [alice, bob]) {
        const updated = await member.client.waitFor('room.updated', (d) => d.room.id === roomId);
        expect(updated.room).toEqual(reply.room);
      }
      await settleAll(carol.client, dave.client);
      expect(about(carol.client, 'room.updated', roomId)).toEqual([]);
      expect(about(dave.client, 'room.updated', roomId)).toEqual([]);
      expect((await connect(alice)).ready.rooms.find((r) => r.id === roomId)?.name).toBe('renamed');

      expect((await bob.client.requestError('room.update', { roomId, name: 'x'.repeat(17) })).code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await carol.client.requestError('room.update', { roomId, name: 'mine' })).code).toBe('ROOM_NOT_FOUND');
      const { room: direct } = await alice.client.request('room.createDirect', { userId: bob.user.id });
      expect((await alice.client.requestError('room.update', { roomId: direct.id, name: 'pair' })).code).toBe(
        'INVALID_OPERATION',
      );
    });

    it('lets only the admin hand admin over, to a member', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { channelId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob);

      expect((await bob.client.requestError('room.update', { roomId, adminId: bob.user.id })).code).toBe(
        'NOT_ROOM_ADMIN',
      );
      expect((await alice.client.requestError('room.update', { roomId, adminId: carol.user.id })).code).toBe(
        'USER_NOT_FOUND',
      );
      const handed = await alice.client.request('room.update', { roomId, adminId: bob.user.id });
      expect(handed.room.adminId).toBe(bob.user.id);
      await bob.client.waitFor('room.updated', (d) => d.room.id === roomId && d.room.adminId === bob.user.id);
      // The former admin has no say any more; the new one can delete the room.
      expect((await alice.client.requestError('room.update', { roomId, adminId: alice.user.id })).code).toBe(
        'NOT_ROOM_ADMIN',
      );
      expect((await alice.client.requestError('room.delete', { roomId })).code).toBe('NOT_ROOM_ADMIN');
      await bob.client.request('room.delete', { roomId });
    });
  });

  describe('room.updateSettings', () => {
    it('changes my own preferences and tells only my own tabs', async () => {
      const alice = await user();
      const bob = await user();
      const { mainRoomId } = await channel(alice, bob);
      const aliceTab2 = await connect(alice);

      const reply = await alice.client.request('room.updateSettings', {
        roomId: mainRoomId,
        volume: 30,
        notifications: false,
      });
      expect(reply.state).toMatchObject({ roomId: mainRoomId, volume: 30, notifications: false });
      expect(await aliceTab2.waitFor('room.settings', (d) => d.state.roomId === mainRoomId)).toEqual({
        state: reply.state,
      });
      await settleAll(alice.client, bob.client);
      expect(bob.client.all('room.settings')).toEqual([]);
      // Shared room data did not change, so nobody gets room.updated.
      expect(about(bob.client, 'room.updated', mainRoomId)).toEqual([]);

      // Only the given field changes.
      const partial = await alice.client.request('room.updateSettings', { roomId: mainRoomId, volume: 55 });
      expect(partial.state).toMatchObject({ volume: 55, notifications: false });
      expect((await connect(alice)).ready.states.find((s) => s.roomId === mainRoomId)).toMatchObject({
        volume: 55,
        notifications: false,
      });
      expect((await connect(bob)).ready.states.find((s) => s.roomId === mainRoomId)).toMatchObject({
        volume: 80,
        notifications: true,
      });

      expect((await alice.client.requestError('room.updateSettings', { roomId: mainRoomId, volume: 101 })).code).toBe(
        'VALIDATION_FAILED',
      );
      const carol = await user();
      expect((await carol.client.requestError('room.updateSettings', { roomId: mainRoomId, volume: 1 })).code).toBe(
        'ROOM_NOT_FOUND',
      );
    });
  });

  describe('room.members', () => {
    it('lists members with their read pointers, to members only', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const { mainRoomId } = await channel(alice, bob);
      const message = await send(alice, mainRoomId, 'read me');
      await bob.client.request('message.read', { roomId: mainRoomId, messageId: message.id });

      const { members } = await alice.client.request('room.members', { roomId: mainRoomId });
      expect(members).toEqual(
        [
          { userId: alice.user.id, lastReadMessageId: 0 },
          { userId: bob.user.id, lastReadMessageId: message.id },
        ].sort((a, b) => a.userId - b.userId),
      );
      expect((await carol.client.requestError('room.members', { roomId: mainRoomId })).code).toBe('ROOM_NOT_FOUND');
    });
  });

  describe('channel.update', () => {
    it('lets any member rename: members get channel.updated and room.updated, outsiders nothing', async () => {
      const alice = await user();
      const bob = await user();
      const dave = await user();
      const { channelId, mainRoomId } = await channel(alice, bob);

      const reply = await bob.client.request('channel.update', { channelId, name: 'renamed' });
      expect(reply.channel).toEqual({
        id: channelId,
        name: 'renamed',
        adminId: alice.user.id,
        mainRoomId,
        isPublic: false,
        topic: '',
      });
      for (const member of [alice, bob]) {
        expect(await member.client.waitFor('channel.updated', (d) => d.channel.id === channelId)).toEqual({
          channel: reply.channel,
        });
        const room = await member.client.waitFor('room.updated', (d) => d.room.id === mainRoomId);
        expect(room.room.name).toBe('renamed');
      }
      await settleAll(dave.client);
      expect(about(dave.client, 'channel.updated', channelId)).toEqual([]);
      expect(about(dave.client, 'room.updated', mainRoomId)).toEqual([]);
      const fresh = await connect(alice);
      expect(fresh.ready.channels.find((c) => c.id === channelId)?.name).toBe('renamed');
      expect(fresh.ready.rooms.find((r) => r.id === mainRoomId)?.name).toBe('renamed');

      expect((await dave.client.requestError('channel.update', { channelId, name: 'mine' })).code).toBe(
        'CHANNEL_NOT_FOUND',
      );
      expect((await alice.client.requestError('channel.update', { channelId: ALL_CHANNEL_ID, name: 'x' })).code).toBe(
        'INVALID_OPERATION',
      );
    });

    it('lets only the admin hand the channel over, to a member', async () => {
      const alice = await user();
      const bob = await user();
      const dave = await user();
      const { channelId } = await channel(alice, bob);

      expect((await bob.client.requestError('channel.update', { channelId, adminId: bob.user.id })).code).toBe(
        'NOT_CHANNEL_ADMIN',
      );
      expect((await alice.client.requestError('channel.update', { channelId, adminId: dave.user.id })).code).toBe(
        'USER_NOT_FOUND',
      );
      const handed = await alice.client.request('channel.update', { channelId, adminId: bob.user.id });
      expect(handed.channel.adminId).toBe(bob.user.id);
      await bob.client.waitFor(
        'channel.updated',
        (d) => d.channel.id === channelId && d.channel.adminId === bob.user.id,
      );
      expect((await alice.client.requestError('channel.delete', { channelId })).code).toBe('NOT_CHANNEL_ADMIN');
      // Handing over frees the former admin to leave.
      await alice.client.request('channel.leave', { channelId });
    });
  });

  describe('channel.leave', () => {
    it('needs the channel rooms left first; then the leaver loses the channel and the rest see the new member list', async () => {
      const alice = await user();
      const bob = await user();
      const dave = await user();
      const { channelId, mainRoomId } = await channel(alice, bob);
      const roomId = await subRoom(alice, channelId, bob);

      expect((await bob.client.requestError('channel.leave', { channelId })).code).toBe('CHANNEL_HAS_ROOMS');
      await bob.client.request('room.leave', { roomId });
      await bob.client.request('channel.leave', { channelId });

      await bob.client.waitFor('room.removed', (d) => d.roomId === mainRoomId);
      await bob.client.waitFor('channel.removed', (d) => d.channelId === channelId);
      const updated = await alice.client.waitFor(
        'room.updated',
        (d) => d.room.id === mainRoomId && !memberIds(d.room).includes(bob.user.id),
      );
      expect(memberIds(updated.room)).toEqual([alice.user.id]);
      await settleAll(alice.client, dave.client);
      expect(about(alice.client, 'channel.removed', channelId)).toEqual([]);
      expect(about(dave.client, 'channel.removed', channelId)).toEqual([]);
      expect(about(dave.client, 'room.updated', mainRoomId)).toEqual([]);

      const fresh = await connect(bob);
      expect(fresh.ready.channels.map((c) => c.id)).not.toContain(channelId);
      expect(fresh.ready.rooms.map((r) => r.id)).not.toContain(mainRoomId);
      expect((await bob.client.requestError('channel.leave', { channelId })).code).toBe('CHANNEL_NOT_FOUND');
    });

    it('refuses the admin and the "all" channel', async () => {
      const alice = await user();
      const { channelId } = await channel(alice);
      expect((await alice.client.requestError('channel.leave', { channelId })).code).toBe('INVALID_OPERATION');
      expect((await alice.client.requestError('channel.leave', { channelId: ALL_CHANNEL_ID })).code).toBe(
        'CANNOT_LEAVE_ALL',
      );
      expect((await connect(alice)).ready.channels.map((c) => c.id)).toEqual(
        expect.arrayContaining([ALL_CHANNEL_ID, channelId]),
      );
    });
  });

  describe('channel.delete', () => {
    it('lets only the admin delete a channel with all its rooms; every member loses them, outsiders hear nothing', async () => {
      const alice = await user();
      const bob = await user();
      const carol = await user();
      const dave = await user();
      const { channelId, mainRoomId } = await channel(alice, bob, carol);
      const roomId = await subRoom(alice, channelId, bob);

      expect((await bob.client.requestError('channel.delete', { channelId })).code).toBe('NOT_CHANNEL_ADMIN');
      expect((await dave.client.requestError('channel.delete', { channelId })).code).toBe('CHANNEL_NOT_FOUND');
      expect((await alice.client.requestError('channel.delete', { channelId: ALL_CHANNEL_ID })).code).toBe(
        'INVALID_OPERATION',
      );

      await alice.client.request('channel.delete', { channelId });
      for (const member of [alice, bob]) {
        await member.client.waitFor('room.removed', (d) => d.roomId === roomId);
        await member.client.waitFor('room.removed', (d) => d.roomId === mainRoomId);
        await member.client.waitFor('channel.removed', (d) => d.channelId === channelId);
      }
      await carol.client.waitFor('room.removed', (d) => d.roomId === mainRoomId);
      await carol.client.waitFor('channel.removed', (d) => d.channelId === channelId);
      await settleAll(carol.client, dave.client);
      // Carol was never in the sub-room, so she is not told about it.
      expect(about(carol.client, 'room.removed', roomId)).toEqual([]);
      expect(about(dave.client, 'channel.removed', channelId)).toEqual([]);
      expect(about(dave.client, 'room.removed', mainRoomId)).toEqual([]);

      const fresh = await connect(bob);
      expect(fresh.ready.channels.map((c) => c.id)).not.toContain(channelId);
      expect(fresh.ready.rooms.map((r) => r.id)).not.toContain(mainRoomId);
      expect(fresh.ready.rooms.map((r) => r.id)).not.toContain(roomId);
      expect((await bob.client.requestError('message.history', { roomId: mainRoomId })).code).toBe('ROOM_NOT_FOUND');
    });
  });
});
