import { z } from 'zod';
import {
  ChannelDto,
  ChannelRoomDto,
  DirectoryChannelDto,
  Empty,
  RoomDto,
  RoomMemberDto,
  RoomStateDto,
} from '../model/dto';
import { ChannelId, RoomId, UserId } from '../model/ids';
import { LIMITS } from '../model/limits';
import { ChannelTopic, DisplayName } from '../model/text';
import { request } from './define';

const UserIds = z.array(UserId).max(LIMITS.membersPerRequestMax);

export const roomRequests = {
  /** Create a named room inside a channel; invitees must be members of the channel. */
  'room.create': request(
    z.strictObject({ channelId: ChannelId, name: DisplayName, userIds: UserIds }),
    z.strictObject({ room: RoomDto, state: RoomStateDto }),
  ),
  /** Open (or revive) the direct room with one user. */
  'room.createDirect': request(
    z.strictObject({ userId: UserId, p2p: z.boolean().optional() }),
    z.strictObject({ room: RoomDto, state: RoomStateDto }),
  ),
  'room.invite': request(
    z.strictObject({ roomId: RoomId, userIds: UserIds.min(1) }),
    z.strictObject({ room: RoomDto }),
  ),
  'room.leave': request(z.strictObject({ roomId: RoomId }), Empty),
  /** Admin only. */
  'room.delete': request(z.strictObject({ roomId: RoomId }), Empty),
  /** Shared room properties: name (any member), admin (admin only), p2p (direct rooms). */
  'room.update': request(
    z.strictObject({
      roomId: RoomId,
      name: DisplayName.optional(),
      adminId: UserId.optional(),
      p2p: z.boolean().optional(),
      /** Admin only: who may pin (see RoomDto.pinsAdminOnly). */
      pinsAdminOnly: z.boolean().optional(),
    }),
    z.strictObject({ room: RoomDto }),
  ),
  /** My own preferences for a room. */
  'room.updateSettings': request(
    z.strictObject({
      roomId: RoomId,
      volume: z.number().int().min(0).max(LIMITS.volumeMax).optional(),
      notifications: z.boolean().optional(),
    }),
    z.strictObject({ state: RoomStateDto }),
  ),
  'room.members': request(z.strictObject({ roomId: RoomId }), z.strictObject({ members: z.array(RoomMemberDto) })),
  /** Join a named room of a channel I belong to (every channel member may: the channel's rooms are open to it). */
  'room.join': request(z.strictObject({ roomId: RoomId }), z.strictObject({ room: RoomDto, state: RoomStateDto })),
  'channel.create': request(
    z.strictObject({
      name: DisplayName,
      userIds: UserIds,
      isPublic: z.boolean().optional(),
      topic: ChannelTopic.optional(),
    }),
    z.strictObject({ channel: ChannelDto, room: RoomDto, state: RoomStateDto }),
  ),
  'channel.update': request(
    z.strictObject({
      channelId: ChannelId,
      name: DisplayName.optional(),
      adminId: UserId.optional(),
      isPublic: z.boolean().optional(),
      topic: ChannelTopic.optional(),
    }),
    z.strictObject({ channel: ChannelDto }),
  ),
  /**
   * Public channels, by id, `limit` (≤ LIMITS.directoryPageMax) after `afterId`; `nextAfterId` is null on the
   * last page. Private channels are never listed.
   */
  'channel.directory': request(
    z.strictObject({
      afterId: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(LIMITS.directoryPageMax).optional(),
    }),
    z.strictObject({ channels: z.array(DirectoryChannelDto), nextAfterId: ChannelId.nullable() }),
  ),
  /** Join a public channel (its main room). A private or unknown channel answers CHANNEL_NOT_FOUND alike. */
  'channel.join': request(
    z.strictObject({ channelId: ChannelId }),
    z.strictObject({ channel: ChannelDto, room: RoomDto, state: RoomStateDto }),
  ),
  /** The named rooms of a channel I belong to (at most LIMITS.channelRoomsMax), joined or not. */
  'channel.rooms': request(
    z.strictObject({ channelId: ChannelId }),
    z.strictObject({ rooms: z.array(ChannelRoomDto) }),
  ),
  /** Leave a channel; its rooms must have been left first, and its admin cannot leave. */
  'channel.leave': request(z.strictObject({ channelId: ChannelId }), Empty),
  /** Admin only: the channel and all its rooms. */
  'channel.delete': request(z.strictObject({ channelId: ChannelId }), Empty),
};

export const roomEvents = {
  /** I gained access to a room (created, invited, direct room opened by the other user). */
  'room.added': z.strictObject({ room: RoomDto, state: RoomStateDto, channel: ChannelDto.nullable() }),
  /** Shared properties or the member list of a room I belong to changed. */
  'room.updated': z.strictObject({ room: RoomDto }),
  /** I lost access to a room (left, removed, deleted). */
  'room.removed': z.strictObject({ roomId: RoomId }),
  /** My own preferences for a room changed (from another tab). */
  'room.settings': z.strictObject({ state: RoomStateDto }),
  'channel.added': z.strictObject({ channel: ChannelDto }),
  'channel.updated': z.strictObject({ channel: ChannelDto }),
  'channel.removed': z.strictObject({ channelId: ChannelId }),
};
