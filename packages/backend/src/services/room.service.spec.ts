import { LIMITS } from '@pychat/protocol';
import { ALL_CHANNEL_ID, ALL_ROOM_ID } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { makeChannel, makeDirectRoom, makeMainRoom, makeMember, makeRoom } from '../../test/factories/room.factory';
import { BOB, CAROL, givenChannel, ME, setupRooms } from '../../test/rooms';
import { expectAppError, expectNothingWritten, T0, type TestContext } from '../../test/service';
import type { RoomEntity, RoomMemberEntity } from '../entities';
import { AppError } from '../errors';
import { RoomService, toChannelDto, toRoomDto, toStateDto } from './room.service';

type Ctx = TestContext & { sut: RoomService };

const setup = (): Ctx => setupRooms(RoomService);

/** I am a member of `room`, whose members are `memberIds`; membersOf answers from a mutable list. */
function givenRoom(ctx: Ctx, room: RoomEntity, memberIds: number[]): RoomMemberEntity[] {
  const members = memberIds.map((id) => makeMember(room.id, id));
  ctx.access.requireRoomMember.mockResolvedValue({ room, member: members.find((m) => m.userId === ME)! });
  ctx.rooms.membersOf.mockImplementation(async (roomId) => (roomId === room.id ? [...members] : []));
  return members;
}

const asMember = (userId: number) => ({ userId, lastReadMessageId: 0 });

describe(RoomService.name, () => {
  describe('snapshot', () => {
    it('sends a room above the inline limit with its member count but without its member list', async () => {
      const { sut, rooms } = setup();
      const big = makeRoom();
      const small = makeDirectRoom(ME, BOB);
      rooms.connectMembershipsOf.mockResolvedValue([
        { room: big, member: makeMember(big.id, ME), members: null, channel: null },
        { room: small, member: makeMember(small.id, ME), members: [ME, BOB].map(asMember), channel: null },
      ]);
      rooms.memberCounts.mockResolvedValue(new Map([[big.id, LIMITS.roomMembersInlineMax + 1]]));
      rooms.unreadAndNewest.mockResolvedValue(new Map());

      const snapshot = await sut.snapshot(ME);

      // Only the big room is counted: the small ones came with their members.
      expect(rooms.memberCounts).toHaveBeenCalledWith([big.id]);
      expect(snapshot.rooms.find((r) => r.id === big.id)).toMatchObject({
        memberCount: LIMITS.roomMembersInlineMax + 1,
        members: null,
      });
      expect(snapshot.rooms.find((r) => r.id === small.id)).toMatchObject({ memberCount: 2 });
      expect(snapshot.rooms.find((r) => r.id === small.id)?.members).toHaveLength(2);
    });

    it("reuses a big room's member count for a few seconds instead of counting it on every connect", async () => {
      const { sut, rooms } = setup();
      const big = makeRoom();
      rooms.connectMembershipsOf.mockResolvedValue([
        { room: big, member: makeMember(big.id, ME), members: null, channel: null },
      ]);
      rooms.memberCounts.mockImplementation(async (ids) => new Map(ids.map((id) => [id, 5_000])));
      rooms.unreadAndNewest.mockResolvedValue(new Map());

      await sut.snapshot(ME);
      const second = await sut.snapshot(ME);

      expect(rooms.memberCounts).toHaveBeenNthCalledWith(2, []);
      expect(second.rooms[0]).toMatchObject({ memberCount: 5_000, members: null });
    });

    it('gives my rooms with their members, my own state per room, and the channels I am in', async () => {
      const { sut, rooms } = setup();
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      const sub = makeRoom({ channelId: channel.id });
      const direct = makeDirectRoom(ME, BOB);
      const inChannel = { channel, mainRoomId: mainRoom.id };
      const mine = [
        { room: mainRoom, members: [asMember(ME)], channel: inChannel },
        { room: sub, members: [asMember(ME)], channel: inChannel },
        { room: direct, members: [ME, BOB].map(asMember), channel: null },
      ].map((m) => ({ ...m, member: makeMember(m.room.id, ME, { volume: 50 }) }));
      rooms.connectMembershipsOf.mockResolvedValue(mine);
      rooms.memberCounts.mockResolvedValue(new Map());
      rooms.unreadAndNewest.mockResolvedValue(new Map([[sub.id, { unread: 3, lastMessageId: 44 }]]));

      const snapshot = await sut.snapshot(ME);

      expect(snapshot.roomIds).toEqual([mainRoom.id, sub.id, direct.id]);
      expect(snapshot.rooms.find((r) => r.id === direct.id)?.members?.map((m) => m.userId)).toEqual([ME, BOB]);
      expect(snapshot.states).toContainEqual({
        roomId: sub.id,
        volume: 50,
        notifications: true,
        unread: 3,
        lastMessageId: 44,
      });
      expect(snapshot.states).toContainEqual({
        roomId: direct.id,
        volume: 50,
        notifications: true,
        unread: 0,
        lastMessageId: 0,
      });
      // The channel of two of my rooms is listed once; unread counts reuse the read pointers just read.
      expect(snapshot.channels).toEqual([toChannelDto(channel, mainRoom.id)]);
      expect(rooms.unreadAndNewest).toHaveBeenCalledWith(
        ME,
        mine.map(({ member }) => ({ roomId: member.roomId, lastReadMessageId: member.lastReadMessageId })),
      );
    });
  });

  describe('members', () => {
    it('lists the members of a room I am in', async () => {
      const ctx = setup();
      const room = makeRoom();
      givenRoom(ctx, room, [ME, BOB]);

      await expect(ctx.sut.members(ME, room.id)).resolves.toEqual([
        { userId: ME, lastReadMessageId: 0 },
        { userId: BOB, lastReadMessageId: 0 },
      ]);
    });

    it('refuses a room I am not in', async () => {
      const ctx = setup();
      ctx.access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

      await expectAppError(ctx.sut.members(ME, 5), 'ROOM_NOT_FOUND');
      expect(ctx.rooms.membersOf).not.toHaveBeenCalled();
    });
  });

  describe('createRoom', () => {
    it('creates a room in the channel with me as admin, then adds it for every member', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel();
      const { mainRoom } = givenChannel(ctx, channel, [ME, BOB, CAROL]);
      const room = makeRoom({ channelId: channel.id, adminId: ME, name: 'ops' });
      const members = [makeMember(room.id, ME), makeMember(room.id, BOB)];
      rooms.createRoom.mockResolvedValue(room);
      rooms.membersOf.mockImplementation(async (id) =>
        id === room.id ? members : [ME, BOB, CAROL].map((u) => makeMember(mainRoom.id, u)),
      );

      const reply = await sut.createRoom(ME, { channelId: channel.id, name: 'ops', userIds: [BOB] });

      expect(rooms.createRoom).toHaveBeenCalledWith(
        {
          kind: 'room',
          name: 'ops',
          channelId: channel.id,
          adminId: ME,
          p2p: false,
          pinsAdminOnly: false,
          directKey: null,
          createdAt: T0,
          deletedAt: null,
        },
        [{ userId: ME }, { userId: BOB }],
        T0,
      );
      expect(reply).toEqual({ room: toRoomDto(room, members), state: toStateDto(members[0]) });
      expect(events.names()).toEqual(['room.membersAdded']);
      expect(events.payloadsOf('room.membersAdded')[0]).toEqual({
        room: reply.room,
        channel: toChannelDto(channel, mainRoom.id),
        states: members.map((m) => ({ userId: m.userId, state: toStateDto(m) })),
      });
      expect(rooms.createRoom).toHaveBeenCalledBefore(events.emit);
    });

    it('refuses to invite someone outside the channel (NOT_CHANNEL_MEMBER)', async () => {
      const ctx = setup();
      givenChannel(ctx, makeChannel(), [ME, BOB]);

      await expectAppError(
        ctx.sut.createRoom(ME, { channelId: 3, name: 'ops', userIds: [BOB, CAROL] }),
        'NOT_CHANNEL_MEMBER',
      );
      expectNothingWritten(ctx);
    });

    it('refuses a channel I am not in', async () => {
      const ctx = setup();
      ctx.access.requireChannelMember.mockRejectedValue(new AppError('CHANNEL_NOT_FOUND', 'no'));

      await expectAppError(ctx.sut.createRoom(ME, { channelId: 3, name: 'ops', userIds: [] }), 'CHANNEL_NOT_FOUND');
      expectNothingWritten(ctx);
    });
  });

  describe('createDirect', () => {
    it('refuses a direct room with myself', async () => {
      const ctx = setup();

      await expectAppError(ctx.sut.createDirect(ME, { userId: ME }), 'INVALID_OPERATION');
      expectNothingWritten(ctx);
    });

    it('refuses an unknown user', async () => {
      const ctx = setup();
      ctx.users.findByIds.mockResolvedValue([]);

      await expectAppError(ctx.sut.createDirect(ME, { userId: 404 }), 'USER_NOT_FOUND');
      expectNothingWritten(ctx);
    });

    it('returns the live direct room without writing or emitting', async () => {
      const ctx = setup();
      const room = makeDirectRoom(ME, BOB);
      const members = [makeMember(room.id, ME, { volume: 30 }), makeMember(room.id, BOB)];
      ctx.rooms.findDirectByKey.mockResolvedValue(room);
      ctx.rooms.membersOf.mockResolvedValue(members);
      ctx.rooms.unreadCounts.mockResolvedValue(new Map([[room.id, 2]]));
      ctx.rooms.lastMessageIds.mockResolvedValue(new Map([[room.id, 90]]));

      const reply = await ctx.sut.createDirect(ME, { userId: BOB });

      expect(reply).toEqual({ room: toRoomDto(room, members), state: toStateDto(members[0], 2, 90) });
      expectNothingWritten(ctx);
    });

    it('keys the pair lower id first, whoever opens it', async () => {
      const ctx = setup();
      ctx.rooms.findDirectByKey.mockResolvedValue(null);
      ctx.rooms.createRoom.mockImplementation(async (room) => ({ ...room, id: 50 }));
      ctx.rooms.membersOf.mockResolvedValue([makeMember(50, 12), makeMember(50, 30)]);

      await ctx.sut.createDirect(30, { userId: 12 });

      expect(ctx.rooms.findDirectByKey).toHaveBeenCalledWith('12:30');
    });

    it('creates a new direct room, then adds it for both users', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      rooms.findDirectByKey.mockResolvedValue(null);
      rooms.createRoom.mockImplementation(async (room) => ({ ...room, id: 50 }));
      const members = [makeMember(50, ME), makeMember(50, BOB)];
      rooms.membersOf.mockResolvedValue(members);

      const reply = await sut.createDirect(ME, { userId: BOB, p2p: true });

      expect(rooms.createRoom).toHaveBeenCalledWith(
        {
          kind: 'direct',
          name: null,
          channelId: null,
          adminId: null,
          p2p: true,
          pinsAdminOnly: false,
          directKey: `${ME}:${BOB}`,
          createdAt: T0,
          deletedAt: null,
        },
        [{ userId: ME }, { userId: BOB }],
        T0,
      );
      expect(reply.room).toMatchObject({ id: 50, kind: 'direct', p2p: true });
      expect(events.emitted).toEqual([
        {
          name: 'room.membersAdded',
          payload: {
            room: reply.room,
            channel: null,
            states: members.map((m) => ({ userId: m.userId, state: toStateDto(m) })),
          },
        },
      ]);
      expect(rooms.createRoom).toHaveBeenCalledBefore(events.emit);
    });

    it('revives a direct room that was closed, keeping its id and history', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const closed = makeDirectRoom(ME, BOB, { deletedAt: T0 - 1000, p2p: true });
      rooms.findDirectByKey.mockResolvedValue(closed);
      rooms.membersOf.mockResolvedValue([makeMember(closed.id, ME), makeMember(closed.id, BOB)]);
      rooms.lastMessageIds.mockResolvedValue(new Map([[closed.id, 77]]));
      // Read pointers survive the closing, so each member's unread count is their own.
      rooms.unreadCounts.mockImplementation(async (userId) => new Map([[closed.id, userId === ME ? 0 : 5]]));

      const reply = await sut.createDirect(ME, { userId: BOB });

      expect(rooms.reviveDirect).toHaveBeenCalledWith(closed.id, false, [{ userId: ME }, { userId: BOB }], T0);
      expect(rooms.createRoom).not.toHaveBeenCalled();
      expect(reply.room).toMatchObject({ id: closed.id, p2p: false });
      expect(reply.state).toMatchObject({ lastMessageId: 77, unread: 0 });
      expect(
        events.payloadsOf('room.membersAdded')[0].states.map(({ userId, state }) => [userId, state.unread]),
      ).toEqual([
        [ME, 0],
        [BOB, 5],
      ]);
      expect(rooms.reviveDirect).toHaveBeenCalledBefore(events.emit);
    });
  });

  describe('invite', () => {
    it('refuses to invite into a direct room', async () => {
      const ctx = setup();
      givenRoom(ctx, makeDirectRoom(ME, BOB), [ME, BOB]);

      await expectAppError(ctx.sut.invite(ME, { roomId: 1, userIds: [CAROL] }), 'INVALID_OPERATION');
      expectNothingWritten(ctx);
    });

    it('refuses someone who is already a member (ALREADY_MEMBER)', async () => {
      const ctx = setup();
      givenRoom(ctx, makeRoom({ channelId: null }), [ME, BOB]);

      await expectAppError(ctx.sut.invite(ME, { roomId: 1, userIds: [CAROL, BOB] }), 'ALREADY_MEMBER');
      expectNothingWritten(ctx);
    });

    it('refuses to invite into a channel room someone outside the channel', async () => {
      const ctx = setup();
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      const room = makeRoom({ channelId: channel.id });
      givenRoom(ctx, room, [ME]);
      ctx.rooms.mainRoomOf.mockResolvedValue(mainRoom);
      ctx.rooms.membersOf.mockImplementation(async (id) =>
        id === room.id ? [makeMember(room.id, ME)] : [makeMember(mainRoom.id, ME)],
      );

      await expectAppError(ctx.sut.invite(ME, { roomId: room.id, userIds: [BOB] }), 'NOT_CHANNEL_MEMBER');
      expectNothingWritten(ctx);
    });

    it('adds the invitees, tells the members, then adds the room for the invitees only', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      const room = makeRoom({ channelId: channel.id });
      const members = givenRoom(ctx, room, [ME]);
      rooms.mainRoomOf.mockResolvedValue(mainRoom);
      rooms.findChannel.mockResolvedValue(channel);
      rooms.lastMessageIds.mockResolvedValue(new Map([[room.id, 90]]));
      rooms.addMembers.mockImplementation(async (_, added) => {
        members.push(...added.map((m) => makeMember(room.id, m.userId, { lastReadMessageId: m.lastReadMessageId })));
      });
      rooms.membersOf.mockImplementation(async (id) =>
        id === room.id ? [...members] : [ME, BOB].map((u) => makeMember(mainRoom.id, u)),
      );

      const reply = await sut.invite(ME, { roomId: room.id, userIds: [BOB] });

      // The history is readable but not unread for the invitee: the read pointer starts at its end.
      expect(rooms.addMembers).toHaveBeenCalledWith(room.id, [{ userId: BOB, lastReadMessageId: 90 }], T0);
      expect(reply.room.members?.map((m) => m.userId)).toEqual([ME, BOB]);
      // A named room is not a channel: nobody gains the channel here.
      expect(events.names()).toEqual(['room.updated', 'room.membersAdded']);
      expect(events.payloadsOf('room.updated')[0]).toEqual({ room: reply.room });
      expect(events.payloadsOf('room.membersAdded')[0]).toEqual({
        room: reply.room,
        channel: toChannelDto(channel, mainRoom.id),
        states: [{ userId: BOB, state: toStateDto(members[1], 0, 90) }],
      });
      expect(rooms.addMembers).toHaveBeenCalledBefore(events.emit);
    });

    it('gives the channel to people invited into its main room', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      const members = givenRoom(ctx, mainRoom, [ME]);
      rooms.mainRoomOf.mockResolvedValue(mainRoom);
      rooms.findChannel.mockResolvedValue(channel);
      rooms.addMembers.mockImplementation(async (_, added) => {
        members.push(...added.map((m) => makeMember(mainRoom.id, m.userId)));
      });

      await sut.invite(ME, { roomId: mainRoom.id, userIds: [BOB, CAROL] });

      expect(events.names()).toEqual(['room.updated', 'channel.added', 'room.membersAdded']);
      expect(events.payloadsOf('channel.added')[0]).toEqual({
        channel: toChannelDto(channel, mainRoom.id),
        userIds: [BOB, CAROL],
      });
      expect(events.payloadsOf('room.membersAdded')[0].states.map((s) => s.userId)).toEqual([BOB, CAROL]);
    });
  });

  describe('leave', () => {
    it('refuses to leave the "all" room', async () => {
      const ctx = setup();
      givenRoom(ctx, makeRoom({ id: ALL_ROOM_ID, kind: 'channel', channelId: ALL_CHANNEL_ID }), [ME]);

      await expectAppError(ctx.sut.leave(ME, ALL_ROOM_ID), 'CANNOT_LEAVE_ALL');
      expectNothingWritten(ctx);
    });

    it('refuses to leave the main room of a channel (leave the channel instead)', async () => {
      const ctx = setup();
      const mainRoom = makeMainRoom(makeChannel());
      givenRoom(ctx, mainRoom, [ME]);

      await expectAppError(ctx.sut.leave(ME, mainRoom.id), 'INVALID_OPERATION');
      expectNothingWritten(ctx);
    });

    it('closes a direct room for both users and keeps its members for a later revival', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const room = makeDirectRoom(ME, BOB);
      givenRoom(ctx, room, [ME, BOB]);

      await sut.leave(ME, room.id);

      expect(rooms.disableDirect).toHaveBeenCalledWith(room.id, T0);
      expect(rooms.removeMembers).not.toHaveBeenCalled();
      expect(events.emitted).toEqual([
        { name: 'room.membersRemoved', payload: { roomId: room.id, userIds: [ME, BOB] } },
      ]);
      expect(rooms.disableDirect).toHaveBeenCalledBefore(events.emit);
    });

    it('removes me from a room, then tells me and the remaining members', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const room = makeRoom({ adminId: BOB });
      const members = givenRoom(ctx, room, [ME, BOB]);
      rooms.removeMembers.mockImplementation(async () => {
        members.splice(0, 1);
      });

      await sut.leave(ME, room.id);

      expect(rooms.removeMembers).toHaveBeenCalledWith(room.id, [ME]);
      expect(rooms.updateRoom).not.toHaveBeenCalled();
      expect(events.names()).toEqual(['room.membersRemoved', 'room.updated']);
      expect(events.payloadsOf('room.membersRemoved')[0]).toEqual({ roomId: room.id, userIds: [ME] });
      expect(events.payloadsOf('room.updated')[0].room.members?.map((m) => m.userId)).toEqual([BOB]);
      expect(rooms.removeMembers).toHaveBeenCalledBefore(events.emit);
    });

    it('leaves the room without an admin when the admin leaves', async () => {
      const ctx = setup();
      const room = makeRoom({ adminId: ME });
      givenRoom(ctx, room, [ME, BOB]);

      await ctx.sut.leave(ME, room.id);

      expect(ctx.rooms.updateRoom).toHaveBeenCalledWith(room.id, { adminId: null });
      expect(ctx.events.payloadsOf('room.updated')[0].room.adminId).toBeNull();
    });
  });

  describe('delete', () => {
    it('lets the admin delete a room, then removes it from every member', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const room = makeRoom({ adminId: ME });
      givenRoom(ctx, room, [ME, BOB]);

      await sut.delete(ME, room.id);

      expect(rooms.softDeleteRooms).toHaveBeenCalledWith([room.id], T0);
      expect(events.emitted).toEqual([
        { name: 'room.membersRemoved', payload: { roomId: room.id, userIds: [ME, BOB] } },
      ]);
      expect(rooms.softDeleteRooms).toHaveBeenCalledBefore(events.emit);
    });

    it('refuses a member who is not the admin (NOT_ROOM_ADMIN)', async () => {
      const ctx = setup();
      givenRoom(ctx, makeRoom({ adminId: BOB }), [ME, BOB]);

      await expectAppError(ctx.sut.delete(ME, 1), 'NOT_ROOM_ADMIN');
      expectNothingWritten(ctx);
    });

    it('refuses to delete a room nobody administers', async () => {
      const ctx = setup();
      givenRoom(ctx, makeRoom({ adminId: null }), [ME, BOB]);

      await expectAppError(ctx.sut.delete(ME, 1), 'NOT_ROOM_ADMIN');
      expectNothingWritten(ctx);
    });

    it('refuses to delete the main room of a channel', async () => {
      const ctx = setup();
      givenRoom(ctx, makeMainRoom(makeChannel({ adminId: ME })), [ME]);

      await expectAppError(ctx.sut.delete(ME, 1), 'INVALID_OPERATION');
      expectNothingWritten(ctx);
    });

    it('closes a direct room like leaving it', async () => {
      const ctx = setup();
      const room = makeDirectRoom(ME, BOB);
      givenRoom(ctx, room, [ME, BOB]);

      await ctx.sut.delete(ME, room.id);

      expect(ctx.rooms.disableDirect).toHaveBeenCalledWith(room.id, T0);
      expect(ctx.rooms.softDeleteRooms).not.toHaveBeenCalled();
    });
  });

  describe('update', () => {
    it('renames a room, then tells its members', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const room = makeRoom({ name: 'old' });
      givenRoom(ctx, room, [ME, BOB]);

      const reply = await sut.update(ME, { roomId: room.id, name: 'new' });

      expect(rooms.updateRoom).toHaveBeenCalledWith(room.id, { name: 'new' });
      expect(reply.room.name).toBe('new');
      expect(events.emitted).toEqual([{ name: 'room.updated', payload: reply }]);
      expect(rooms.updateRoom).toHaveBeenCalledBefore(events.emit);
    });

    it('lets the admin hand admin over to a member', async () => {
      const ctx = setup();
      const room = makeRoom({ adminId: ME });
      givenRoom(ctx, room, [ME, BOB]);

      const reply = await ctx.sut.update(ME, { roomId: room.id, adminId: BOB });

      expect(ctx.rooms.updateRoom).toHaveBeenCalledWith(room.id, { adminId: BOB });
      expect(reply.room.adminId).toBe(BOB);
    });

    it('toggles peer-to-peer on a direct room', async () => {
      const ctx = setup();
      const room = makeDirectRoom(ME, BOB);
      givenRoom(ctx, room, [ME, BOB]);

      const reply = await ctx.sut.update(ME, { roomId: room.id, p2p: true });

      expect(ctx.rooms.updateRoom).toHaveBeenCalledWith(room.id, { p2p: true });
      expect(reply.room.p2p).toBe(true);
    });

    it.each([
      ['renaming a direct room', makeDirectRoom(ME, BOB), { name: 'x' }, 'INVALID_OPERATION'],
      ['renaming a channel main room', makeMainRoom(makeChannel()), { name: 'x' }, 'INVALID_OPERATION'],
      ['an admin for a direct room', makeDirectRoom(ME, BOB), { adminId: BOB }, 'INVALID_OPERATION'],
      ['p2p on a named room', makeRoom(), { p2p: true }, 'INVALID_OPERATION'],
      ['admin handed over by a non-admin', makeRoom({ adminId: BOB }), { adminId: ME }, 'NOT_ROOM_ADMIN'],
      ['admin handed to a non-member', makeRoom({ adminId: ME }), { adminId: CAROL }, 'USER_NOT_FOUND'],
      // A valid rename must not slip through beside an invalid admin change.
      ['a rename with a bad admin change', makeRoom({ adminId: BOB }), { name: 'x', adminId: ME }, 'NOT_ROOM_ADMIN'],
    ] as const)('refuses %s and changes nothing', async (_, room, change, code) => {
      const ctx = setup();
      givenRoom(ctx, room, [ME, BOB]);

      await expectAppError(ctx.sut.update(ME, { roomId: room.id, ...change }), code);
      expectNothingWritten(ctx);
    });
  });

  describe('updateSettings', () => {
    it('saves my preferences, then tells my other tabs', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const room = makeRoom();
      givenRoom(ctx, room, [ME]);
      rooms.unreadCounts.mockResolvedValue(new Map([[room.id, 4]]));
      rooms.lastMessageIds.mockResolvedValue(new Map([[room.id, 12]]));

      const reply = await sut.updateSettings(ME, { roomId: room.id, volume: 10 });

      // Unchanged preferences keep their stored value.
      expect(rooms.updateMember).toHaveBeenCalledWith(room.id, ME, { volume: 10, notifications: true });
      expect(reply.state).toEqual({ roomId: room.id, volume: 10, notifications: true, unread: 4, lastMessageId: 12 });
      expect(events.emitted).toEqual([{ name: 'room.settingsChanged', payload: { userId: ME, state: reply.state } }]);
      expect(rooms.updateMember).toHaveBeenCalledBefore(events.emit);
    });

    it('changes nothing in a room I am not in', async () => {
      const ctx = setup();
      ctx.access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

      await expectAppError(ctx.sut.updateSettings(ME, { roomId: 5, volume: 1 }), 'ROOM_NOT_FOUND');
      expectNothingWritten(ctx);
    });
  });
});
