import { describe, expect, it } from 'vitest';
import { makeMessage } from '../../test/factories/message.factory';
import { makeChannel, makeMainRoom, makeMember, makeRoom } from '../../test/factories/room.factory';
import { createTestService, expectAppError } from '../../test/service';
import { ALL_CHANNEL_ID } from '@pychat/protocol';
import { AppError } from '../errors';
import { AccessService, requireChannelAdmin, requireRoomAdmin } from './access.service';

const ME = 7;

describe(AccessService.name, () => {
  describe('requireRoomMember', () => {
    it('returns the room and my membership', async () => {
      const { sut, rooms } = createTestService(AccessService);
      const room = makeRoom();
      const member = makeMember(room.id, ME);
      rooms.findMembership.mockResolvedValue({ room, member });

      await expect(sut.requireRoomMember(ME, room.id)).resolves.toEqual({ room, member });
      expect(rooms.findMembership).toHaveBeenCalledWith(room.id, ME);
    });

    it('reports a room I am not in as ROOM_NOT_FOUND, like a room that does not exist', async () => {
      const { sut, rooms } = createTestService(AccessService);
      rooms.findMembership.mockResolvedValue(null);

      await expectAppError(sut.requireRoomMember(ME, 123), 'ROOM_NOT_FOUND');
    });
  });

  describe('requireVisibleMessage', () => {
    it('returns the message with its room and my membership', async () => {
      const { sut, rooms, messages } = createTestService(AccessService);
      const room = makeRoom();
      const member = makeMember(room.id, ME);
      const message = makeMessage({ roomId: room.id, senderId: 99 });
      messages.findById.mockResolvedValue(message);
      rooms.findMembership.mockResolvedValue({ room, member });

      await expect(sut.requireVisibleMessage(ME, message.id)).resolves.toEqual({ message, room, member });
      // Membership is checked in the message's own room, not in one the caller names.
      expect(rooms.findMembership).toHaveBeenCalledWith(room.id, ME);
    });

    it('reports a missing message as MESSAGE_NOT_FOUND', async () => {
      const { sut, messages } = createTestService(AccessService);
      messages.findById.mockResolvedValue(null);

      await expectAppError(sut.requireVisibleMessage(ME, 5), 'MESSAGE_NOT_FOUND');
    });

    it('reports a message of a room I am not in as MESSAGE_NOT_FOUND, not as a permission error', async () => {
      const { sut, rooms, messages } = createTestService(AccessService);
      messages.findById.mockResolvedValue(makeMessage());
      rooms.findMembership.mockResolvedValue(null);

      await expectAppError(sut.requireVisibleMessage(ME, 5), 'MESSAGE_NOT_FOUND');
    });
  });

  describe('requireMessageAuthor', () => {
    function setup(messageOverrides: Parameters<typeof makeMessage>[0]) {
      const ctx = createTestService(AccessService);
      const room = makeRoom();
      const message = makeMessage({ roomId: room.id, ...messageOverrides });
      ctx.messages.findById.mockResolvedValue(message);
      ctx.rooms.findMembership.mockResolvedValue({ room, member: makeMember(room.id, ME) });
      return { ...ctx, room, message };
    }

    it('returns my own live message and its room', async () => {
      const { sut, message, room } = setup({ senderId: ME });

      await expect(sut.requireMessageAuthor(ME, message.id)).resolves.toMatchObject({ message, room });
    });

    it('refuses a message by someone else with NOT_MESSAGE_AUTHOR', async () => {
      const { sut, message } = setup({ senderId: ME + 1 });

      await expectAppError(sut.requireMessageAuthor(ME, message.id), 'NOT_MESSAGE_AUTHOR');
    });

    it('treats my deleted message as gone (MESSAGE_NOT_FOUND)', async () => {
      const { sut, message } = setup({ senderId: ME, deletedAt: 1, content: null });

      await expectAppError(sut.requireMessageAuthor(ME, message.id), 'MESSAGE_NOT_FOUND');
    });

    it('does not tell an outsider who wrote a message', async () => {
      const { sut, rooms, message } = setup({ senderId: ME + 1 });
      rooms.findMembership.mockResolvedValue(null);

      await expectAppError(sut.requireMessageAuthor(ME, message.id), 'MESSAGE_NOT_FOUND');
    });
  });

  describe('requireChannelMember', () => {
    it('checks membership of the main room of the channel', async () => {
      const { sut, rooms } = createTestService(AccessService);
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      const member = makeMember(mainRoom.id, ME);
      rooms.findChannel.mockResolvedValue(channel);
      rooms.mainRoomOf.mockResolvedValue(mainRoom);
      rooms.findMembership.mockResolvedValue({ room: mainRoom, member });

      await expect(sut.requireChannelMember(ME, channel.id)).resolves.toEqual({ channel, mainRoom, member });
      expect(rooms.mainRoomOf).toHaveBeenCalledWith(channel.id);
      expect(rooms.findMembership).toHaveBeenCalledWith(mainRoom.id, ME);
    });

    it.each([
      ['the channel does not exist (or was deleted)', { channel: false, mainRoom: true, member: true }],
      ['the channel has no live main room', { channel: true, mainRoom: false, member: true }],
      ['I am not a member of the main room', { channel: true, mainRoom: true, member: false }],
    ])('gives CHANNEL_NOT_FOUND when %s', async (_, present) => {
      const { sut, rooms } = createTestService(AccessService);
      const channel = makeChannel();
      const mainRoom = makeMainRoom(channel);
      rooms.findChannel.mockResolvedValue(present.channel ? channel : null);
      rooms.mainRoomOf.mockResolvedValue(present.mainRoom ? mainRoom : null);
      rooms.findMembership.mockResolvedValue(
        present.member ? { room: mainRoom, member: makeMember(mainRoom.id, ME) } : null,
      );

      await expectAppError(sut.requireChannelMember(ME, channel.id), 'CHANNEL_NOT_FOUND');
    });
  });

  describe('requireMessageInRoom', () => {
    it('returns a message of the room; one of another room or none reads as not found', async () => {
      const { sut, messages } = createTestService(AccessService);
      const message = makeMessage({ id: 5, roomId: 10 });
      messages.findById.mockResolvedValue(message);

      expect(await sut.requireMessageInRoom(10, 5)).toBe(message);
      const error = await expectAppError(sut.requireMessageInRoom(11, 5), 'MESSAGE_NOT_FOUND');
      expect(error.message).toBe('Message 5 is not in this room');
      messages.findById.mockResolvedValue(null);
      await expectAppError(sut.requireMessageInRoom(10, 5), 'MESSAGE_NOT_FOUND');
    });
  });
});

function codeOf(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
  }
}

describe(requireRoomAdmin.name, () => {
  it('lets the admin through and refuses everyone else, naming the action', () => {
    expect(codeOf(() => requireRoomAdmin(ME, { adminId: ME }, 'delete it'))).toBeNull();
    expect(codeOf(() => requireRoomAdmin(ME, { adminId: 8 }, 'delete it'))).toBe(
      'NOT_ROOM_ADMIN: Only the room admin can delete it',
    );
    expect(codeOf(() => requireRoomAdmin(ME, { adminId: null }, 'delete it'))).toBe(
      'NOT_ROOM_ADMIN: Only the room admin can delete it',
    );
  });

  it('lets any member claim a room without admin only when asked to', () => {
    expect(codeOf(() => requireRoomAdmin(ME, { adminId: null }, 'hand admin over', { unclaimed: true }))).toBeNull();
    expect(codeOf(() => requireRoomAdmin(ME, { adminId: 8 }, 'hand admin over', { unclaimed: true }))).toBe(
      'NOT_ROOM_ADMIN: Only the room admin can hand admin over',
    );
  });
});

describe(requireChannelAdmin.name, () => {
  it('lets the admin through and refuses everyone else', () => {
    expect(codeOf(() => requireChannelAdmin(ME, { id: 3, adminId: ME }, 'delete it'))).toBeNull();
    expect(codeOf(() => requireChannelAdmin(ME, { id: 3, adminId: null }, 'delete it'))).toBe(
      'NOT_CHANNEL_ADMIN: Only the channel admin can delete it',
    );
    expect(codeOf(() => requireChannelAdmin(ME, { id: 3, adminId: null }, 'x', { unclaimed: true }))).toBeNull();
  });

  it('never lets anyone claim the "all" channel; its admin hands it over', () => {
    const all = { id: ALL_CHANNEL_ID, adminId: null };
    expect(codeOf(() => requireChannelAdmin(ME, all, 'hand admin over', { unclaimed: true }))).toBe(
      'NOT_CHANNEL_ADMIN: Only the admin of the "all" channel can hand it over',
    );
    expect(
      codeOf(() => requireChannelAdmin(ME, { ...all, adminId: ME }, 'hand admin over', { unclaimed: true })),
    ).toBeNull();
  });
});
