import type { ChannelDto, RoomDto } from '@pychat/protocol';
import { ALL_CHANNEL_ID } from '@pychat/protocol/constants';

/**
 * Who may do what to a room or a channel, as the views show it (the server checks again: these only decide which
 * controls appear). Pure: `meId` is null while signed out.
 */
type RoomLike = Pick<RoomDto, 'kind' | 'adminId'>;
type ChannelLike = Pick<ChannelDto, 'id' | 'adminId'>;

export function isRoomAdmin(room: RoomLike | null, meId: number | null): boolean {
  return room !== null && meId !== null && room.adminId === meId;
}

/** The admin hands the role over; a room without one lets any member take it. Channel main rooms and directs have none. */
export function canChangeRoomAdmin(room: RoomLike | null, meId: number | null): boolean {
  return room?.kind === 'room' && (isRoomAdmin(room, meId) || room.adminId === null);
}

/** Only a named room's admin deletes it; everybody else can only leave. */
export function canDeleteRoom(room: RoomLike | null, meId: number | null): boolean {
  return room?.kind === 'room' && isRoomAdmin(room, meId);
}

export function isChannelAdmin(channel: ChannelLike | null, meId: number | null): boolean {
  return channel !== null && meId !== null && channel.adminId === meId;
}

/** The "all" channel belongs to nobody: it is neither renamed, handed over, left nor deleted. */
export function isAllChannel(channel: Pick<ChannelDto, 'id'> | null): boolean {
  return channel?.id === ALL_CHANNEL_ID;
}

export function canChangeChannelAdmin(channel: ChannelLike | null, meId: number | null): boolean {
  return channel !== null && !isAllChannel(channel) && (isChannelAdmin(channel, meId) || channel.adminId === null);
}

export function canRenameChannel(channel: ChannelLike | null): boolean {
  return channel !== null && !isAllChannel(channel);
}

export function canDeleteChannel(channel: ChannelLike | null, meId: number | null): boolean {
  return !isAllChannel(channel) && isChannelAdmin(channel, meId);
}

/**
 * Who may pin in a room, and choose that (the server's rule): anyone in a direct room or a room without
 * `pinsAdminOnly`; else the room's admin, or the channel's admin for a channel's main room.
 */
export function isPinAdmin(
  room: (RoomLike & Pick<RoomDto, 'channelId'>) | null,
  channel: ChannelLike | null,
  meId: number | null,
): boolean {
  return (
    room !== null &&
    room.kind !== 'direct' &&
    (isRoomAdmin(room, meId) ||
      (room.kind === 'channel' && channel?.id === room.channelId && isChannelAdmin(channel, meId)))
  );
}

export function canPin(
  room: (RoomLike & Pick<RoomDto, 'channelId' | 'pinsAdminOnly'>) | null,
  channel: ChannelLike | null,
  meId: number | null,
): boolean {
  return room !== null && (!room.pinsAdminOnly || isPinAdmin(room, channel, meId));
}
