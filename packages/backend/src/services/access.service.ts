import { ALL_CHANNEL_ID } from '@pychat/protocol';
import type { ChannelEntity, MessageEntity, RoomEntity, RoomMemberEntity } from '../entities';
import { AppError } from '../errors';
import type { MessageRepository } from '../repositories/message.repository';
import type { RoomRepository } from '../repositories/room.repository';

/**
 * The permission funnels. Every read or write of a room, channel or message goes through one of these.
 * Something the caller may not see is reported exactly like something that does not exist, so forged ids
 * reveal nothing (zulip's access_*_by_id).
 */
export class AccessService {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly messages: MessageRepository,
  ) {}

  async requireRoomMember(userId: number, roomId: number): Promise<{ room: RoomEntity; member: RoomMemberEntity }> {
    const membership = await this.rooms.findMembership(roomId, userId);
    if (!membership) {
      throw new AppError('ROOM_NOT_FOUND', `Room ${roomId} does not exist or you are not a member`);
    }
    return membership;
  }

  /** A message in a room the user belongs to. */
  async requireVisibleMessage(
    userId: number,
    messageId: number,
  ): Promise<{ message: MessageEntity; room: RoomEntity; member: RoomMemberEntity }> {
    const message = await this.messages.findById(messageId);
    const membership = message ? await this.rooms.findMembership(message.roomId, userId) : null;
    if (!message || !membership) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${messageId} does not exist or is not visible to you`);
    }
    return { message, ...membership };
  }

  async requireMessageAuthor(userId: number, messageId: number): Promise<{ message: MessageEntity; room: RoomEntity }> {
    const visible = await this.requireVisibleMessage(userId, messageId);
    if (visible.message.deletedAt !== null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${messageId} was deleted`);
    }
    if (visible.message.senderId !== userId) {
      throw new AppError('NOT_MESSAGE_AUTHOR', 'Only the author can change a message');
    }
    return visible;
  }

  /**
   * A message of this room (thread parent, read pointer target). The caller has already passed
   * `requireRoomMember` for the room: a message of another room reads as not found.
   */
  async requireMessageInRoom(roomId: number, messageId: number): Promise<MessageEntity> {
    const message = await this.messages.findById(messageId);
    if (!message || message.roomId !== roomId) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${messageId} is not in this room`);
    }
    return message;
  }

  /** Channel membership is membership of its main room. */
  async requireChannelMember(
    userId: number,
    channelId: number,
  ): Promise<{ channel: ChannelEntity; mainRoom: RoomEntity; member: RoomMemberEntity }> {
    const channel = await this.rooms.findChannel(channelId);
    const mainRoom = channel ? await this.rooms.mainRoomOf(channel.id) : null;
    const membership = mainRoom ? await this.rooms.findMembership(mainRoom.id, userId) : null;
    if (!channel || !mainRoom || !membership) {
      throw new AppError('CHANNEL_NOT_FOUND', `Channel ${channelId} does not exist or you are not a member`);
    }
    return { channel, mainRoom, member: membership.member };
  }

  /**
   * A public channel I may join (`channel.join`). A private, deleted or unknown channel answers alike, so
   * joining cannot probe which private channels exist.
   */
  async requirePublicChannel(channelId: number): Promise<{ channel: ChannelEntity; mainRoom: RoomEntity }> {
    const channel = await this.rooms.findChannel(channelId);
    const mainRoom = channel?.isPublic ? await this.rooms.mainRoomOf(channel.id) : null;
    if (!channel || !mainRoom) {
      throw new AppError('CHANNEL_NOT_FOUND', `Channel ${channelId} does not exist or you are not a member`);
    }
    return { channel, mainRoom };
  }

  /**
   * A named room of a channel I belong to and am not in yet (`room.join`). Any other room, or one of a channel
   * I am not in, reads as not found; being in it already is ALREADY_MEMBER (I can see it, nothing leaks).
   */
  async requireJoinableRoom(userId: number, roomId: number): Promise<{ room: RoomEntity; mainRoom: RoomEntity }> {
    const room = await this.rooms.findRoom(roomId);
    const mainRoom =
      room?.kind === 'room' && room.channelId !== null ? await this.rooms.mainRoomOf(room.channelId) : null;
    const inChannel = room && mainRoom ? await this.rooms.findMembership(mainRoom.id, userId) : null;
    if (!room || !mainRoom || !inChannel) {
      throw new AppError('ROOM_NOT_FOUND', `Room ${roomId} does not exist or you are not a member`);
    }
    if (await this.rooms.findMembership(room.id, userId)) {
      throw new AppError('ALREADY_MEMBER', 'You are a member of this room already');
    }
    return { room, mainRoom };
  }
}

/**
 * Admin funnels: checks on a room or channel a membership funnel already returned (so no query of their own).
 * `unclaimed`: a room or channel without an admin may be claimed by any member (hand-over to oneself).
 * `action` completes "Only the room admin can …".
 */
export function requireRoomAdmin(
  userId: number,
  room: Pick<RoomEntity, 'adminId'>,
  action: string,
  { unclaimed = false } = {},
): void {
  if (room.adminId === userId || (unclaimed && room.adminId === null)) {
    return;
  }
  throw new AppError('NOT_ROOM_ADMIN', `Only the room admin can ${action}`);
}

/** As requireRoomAdmin; nobody claims the "all" channel (else any user could make themselves its admin). */
export function requireChannelAdmin(
  userId: number,
  channel: Pick<ChannelEntity, 'id' | 'adminId'>,
  action: string,
  { unclaimed = false } = {},
): void {
  if (channel.adminId === userId) {
    return;
  }
  if (unclaimed && channel.id === ALL_CHANNEL_ID) {
    // Only an admin set by the operator (`pychat create-user --admin`) can hand it over.
    throw new AppError('NOT_CHANNEL_ADMIN', 'Only the admin of the "all" channel can hand it over');
  }
  if (unclaimed && channel.adminId === null) {
    return;
  }
  throw new AppError('NOT_CHANNEL_ADMIN', `Only the channel admin can ${action}`);
}
