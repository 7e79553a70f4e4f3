import { ALL_CHANNEL_ID } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { makeUser } from '../../test/factories/user.factory';
import { makeChannel, makeMainRoom, makeMember, makeRoom } from '../../test/factories/room.factory';
import { BOB, CAROL, givenChannel, ME, setupRooms } from '../../test/rooms';
import { expectAppError, expectNothingWritten, T0 } from '../../test/service';
import { ChannelService } from './channel.service';
import { toChannelDto, toRoomDto, toStateDto } from './room.service';

const setup = () => setupRooms(ChannelService);

describe(ChannelService.name, () => {
  describe('create', () => {
    it('creates the channel with me as admin, then tells every member', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel({ adminId: ME, name: 'dev' });
      const mainRoom = makeMainRoom(channel);
      const members = [makeMember(mainRoom.id, ME), makeMember(mainRoom.id, BOB)];
      rooms.createChannel.mockResolvedValue({ channel, room: mainRoom });
      rooms.membersOf.mockResolvedValue(members);

      const reply = await sut.create(ME, { name: 'dev', userIds: [BOB, BOB, ME] });

      // Invitees are de-duplicated and I am not added twice.
      expect(rooms.createChannel).toHaveBeenCalledWith(
        { name: 'dev', adminId: ME, isPublic: false, topic: '', createdAt: T0, deletedAt: null },
        [{ userId: ME }, { userId: BOB }],
        T0,
      );
      const channelDto = toChannelDto(channel, mainRoom.id);
      const roomDto = toRoomDto(mainRoom, members);
      expect(reply).toEqual({ channel: channelDto, room: roomDto, state: toStateDto(members[0]) });
      expect(events.emitted).toEqual([
        { name: 'channel.added', payload: { channel: channelDto, userIds: [ME, BOB] } },
        {
          name: 'room.membersAdded',
          payload: {
            room: roomDto,
            channel: channelDto,
            states: members.map((m) => ({ userId: m.userId, state: toStateDto(m) })),
          },
        },
      ]);
      expect(rooms.createChannel).toHaveBeenCalledBefore(events.emit);
    });

    it('creates nothing when an invitee does not exist', async () => {
      const ctx = setup();
      ctx.users.findByIds.mockResolvedValue([makeUser({ id: BOB })]);

      const error = await expectAppError(ctx.sut.create(ME, { name: 'dev', userIds: [BOB, 404] }), 'USER_NOT_FOUND');
      expect(error.message).toContain('404');
      expectNothingWritten(ctx);
    });
  });

  describe('update', () => {
    it('renames the channel, then tells its members about the channel and its main room', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel({ name: 'old' });
      const { mainRoom } = givenChannel(ctx, channel, [ME, BOB]);

      const reply = await sut.update(ME, { channelId: channel.id, name: 'new' });

      expect(rooms.updateChannel).toHaveBeenCalledWith(channel.id, { name: 'new' });
      expect(reply.channel).toEqual({
        id: channel.id,
        name: 'new',
        adminId: null,
        mainRoomId: mainRoom.id,
        isPublic: false,
        topic: '',
      });
      expect(events.names()).toEqual(['channel.updated', 'room.updated']);
      expect(events.payloadsOf('channel.updated')[0]).toEqual({ channel: reply.channel, userIds: [ME, BOB] });
      expect(events.payloadsOf('room.updated')[0].room).toMatchObject({ id: mainRoom.id, name: 'new' });
      expect(rooms.updateChannel).toHaveBeenCalledBefore(events.emit);
    });

    it('hands admin over without touching the main room', async () => {
      const ctx = setup();
      const channel = makeChannel({ adminId: ME });
      givenChannel(ctx, channel, [ME, BOB]);

      await ctx.sut.update(ME, { channelId: channel.id, adminId: BOB });

      expect(ctx.rooms.updateChannel).toHaveBeenCalledWith(channel.id, { adminId: BOB });
      expect(ctx.events.names()).toEqual(['channel.updated']);
    });

    it.each([
      ['renaming the "all" channel', { id: ALL_CHANNEL_ID }, { name: 'x' }, 'INVALID_OPERATION'],
      ['admin handed over by a non-admin', { adminId: BOB }, { adminId: ME }, 'NOT_CHANNEL_ADMIN'],
      ['admin handed to a non-member', { adminId: ME }, { adminId: CAROL }, 'USER_NOT_FOUND'],
      [
        'anyone claiming the admin-less "all" channel',
        { id: ALL_CHANNEL_ID, adminId: null },
        { adminId: ME },
        'NOT_CHANNEL_ADMIN',
      ],
    ] as const)('refuses %s and changes nothing', async (_, channelOverrides, change, code) => {
      const ctx = setup();
      const channel = makeChannel(channelOverrides);
      givenChannel(ctx, channel, [ME, BOB]);

      await expectAppError(ctx.sut.update(ME, { channelId: channel.id, ...change }), code);
      expectNothingWritten(ctx);
    });
  });

  it('lets the operator-made admin of the "all" channel hand it over', async () => {
    const ctx = setup();
    const channel = makeChannel({ id: ALL_CHANNEL_ID, adminId: ME });
    givenChannel(ctx, channel, [ME, BOB]);

    await ctx.sut.update(ME, { channelId: ALL_CHANNEL_ID, adminId: BOB });

    expect(ctx.rooms.updateChannel).toHaveBeenCalledWith(ALL_CHANNEL_ID, { adminId: BOB });
  });

  describe('leave', () => {
    it('refuses to leave the "all" channel', async () => {
      const ctx = setup();

      await expectAppError(ctx.sut.leave(ME, ALL_CHANNEL_ID), 'CANNOT_LEAVE_ALL');
      expectNothingWritten(ctx);
    });

    it('refuses the channel admin', async () => {
      const ctx = setup();
      const channel = makeChannel({ adminId: ME });
      givenChannel(ctx, channel, [ME, BOB]);

      await expectAppError(ctx.sut.leave(ME, channel.id), 'INVALID_OPERATION');
      expectNothingWritten(ctx);
    });

    it('refuses while I am still in one of its rooms (CHANNEL_HAS_ROOMS)', async () => {
      const ctx = setup();
      const channel = makeChannel({ adminId: BOB });
      givenChannel(ctx, channel, [ME, BOB]);
      const sub = makeRoom({ channelId: channel.id });
      ctx.rooms.subRoomsOf.mockResolvedValue([sub]);
      ctx.rooms.membersOfRooms.mockResolvedValue([makeMember(sub.id, BOB), makeMember(sub.id, ME)]);

      await expectAppError(ctx.sut.leave(ME, channel.id), 'CHANNEL_HAS_ROOMS');
      expect(ctx.rooms.membersOfRooms).toHaveBeenCalledWith([sub.id]);
      expectNothingWritten(ctx);
    });

    it('removes me from the main room, then drops the room and channel for me and updates the others', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel({ adminId: BOB });
      const { mainRoom, members } = givenChannel(ctx, channel, [ME, BOB]);
      rooms.subRoomsOf.mockResolvedValue([makeRoom({ channelId: channel.id })]);
      rooms.membersOfRooms.mockResolvedValue([]);
      rooms.removeMembers.mockImplementation(async () => {
        members.splice(0, 1);
      });

      await sut.leave(ME, channel.id);

      expect(rooms.removeMembers).toHaveBeenCalledWith(mainRoom.id, [ME]);
      expect(events.names()).toEqual(['room.membersRemoved', 'channel.removed', 'room.updated']);
      expect(events.payloadsOf('room.membersRemoved')[0]).toEqual({ roomId: mainRoom.id, userIds: [ME] });
      expect(events.payloadsOf('channel.removed')[0]).toEqual({ channelId: channel.id, userIds: [ME] });
      expect(events.payloadsOf('room.updated')[0].room.members?.map((m) => m.userId)).toEqual([BOB]);
      expect(rooms.removeMembers).toHaveBeenCalledBefore(events.emit);
    });
  });

  describe('delete', () => {
    it('deletes the channel with all its rooms, then removes each room from its members', async () => {
      const ctx = setup();
      const { sut, rooms, events } = ctx;
      const channel = makeChannel({ adminId: ME });
      const { mainRoom } = givenChannel(ctx, channel, [ME, BOB, CAROL]);
      const sub = makeRoom({ channelId: channel.id });
      rooms.subRoomsOf.mockResolvedValue([sub]);
      rooms.membersOfRooms.mockResolvedValue([
        makeMember(mainRoom.id, ME),
        makeMember(sub.id, ME),
        makeMember(mainRoom.id, BOB),
        makeMember(sub.id, BOB),
        makeMember(mainRoom.id, CAROL),
      ]);

      await sut.delete(ME, channel.id);

      expect(rooms.softDeleteRooms).toHaveBeenCalledWith([mainRoom.id, sub.id], T0, channel.id);
      expect(events.emitted).toEqual([
        { name: 'room.membersRemoved', payload: { roomId: mainRoom.id, userIds: [ME, BOB, CAROL] } },
        { name: 'room.membersRemoved', payload: { roomId: sub.id, userIds: [ME, BOB] } },
        { name: 'channel.removed', payload: { channelId: channel.id, userIds: [ME, BOB, CAROL] } },
      ]);
      expect(rooms.softDeleteRooms).toHaveBeenCalledBefore(events.emit);
    });

    it.each([
      ['the "all" channel', { id: ALL_CHANNEL_ID, adminId: ME }, 'INVALID_OPERATION'],
      ['a channel I do not administer', { adminId: BOB }, 'NOT_CHANNEL_ADMIN'],
      ['a channel without an admin', { adminId: null }, 'NOT_CHANNEL_ADMIN'],
    ] as const)('refuses to delete %s', async (_, channelOverrides, code) => {
      const ctx = setup();
      const channel = makeChannel(channelOverrides);
      givenChannel(ctx, channel, [ME, BOB]);

      await expectAppError(ctx.sut.delete(ME, channel.id), code);
      expectNothingWritten(ctx);
    });
  });
});
