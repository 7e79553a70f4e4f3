import {
  ALL_CHANNEL_ID,
  LIMITS,
  type ChannelDto,
  type ChannelRoomDto,
  type DirectoryChannelDto,
  type ClientMessages,
  type RoomDto,
  type RoomStateDto,
} from '@pychat/protocol';
import type { ChannelEntity } from '../entities';
import { AppError } from '../errors';
import type { RoomRepository } from '../repositories/room.repository';
import type { UserRepository } from '../repositories/user.repository';
import { requireChannelAdmin, type AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import {
  admitMembers,
  memberOf,
  memberState,
  requireBelowCap,
  requireUsers,
  toChannelDto,
  toRoomDto,
  toStateDto,
} from './room.service';

/**
 * Channels: create, rename, hand over, leave, delete. A channel's membership is its main room's, so the room
 * rules (RoomService) and these share the room repository and the DTO mappers of room.service.ts.
 */
export class ChannelService {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    /** PYCHAT_MAX_CHANNELS_PER_USER */
    private readonly channelsPerUser = Infinity,
  ) {}

  async create(
    userId: number,
    input: ClientMessages['channel.create'],
  ): Promise<{ channel: ChannelDto; room: RoomDto; state: RoomStateDto }> {
    await requireBelowCap(this.rooms, this.channelsPerUser, userId, 'channels');
    const invitees = await requireUsers(this.users, input.userIds, userId);
    const now = this.clock();
    const { channel, room } = await this.rooms.createChannel(
      {
        name: input.name,
        adminId: userId,
        isPublic: input.isPublic ?? false,
        topic: input.topic ?? '',
        createdAt: now,
        deletedAt: null,
      },
      [{ userId }, ...invitees.map((id) => ({ userId: id }))],
      now,
    );
    const members = await this.rooms.membersOf(room.id);
    const channelDto = toChannelDto(channel, room.id);
    const roomDto = toRoomDto(room, members);
    await this.events.emit('channel.added', { channel: channelDto, userIds: members.map((m) => m.userId) });
    await this.events.emit('room.membersAdded', {
      room: roomDto,
      channel: channelDto,
      states: members.map((m) => ({ userId: m.userId, state: toStateDto(m) })),
    });
    return { channel: channelDto, room: roomDto, state: toStateDto(memberOf(members, userId)) };
  }

  async update(userId: number, input: ClientMessages['channel.update']): Promise<{ channel: ChannelDto }> {
    const { channel, mainRoom } = await this.access.requireChannelMember(userId, input.channelId);
    const patch: Partial<Pick<ChannelEntity, 'name' | 'adminId' | 'isPublic' | 'topic'>> = {};
    const members = await this.rooms.membersOf(mainRoom.id);
    if (input.name !== undefined) {
      if (channel.id === ALL_CHANNEL_ID) {
        throw new AppError('INVALID_OPERATION', 'The "all" channel cannot be renamed');
      }
      patch.name = input.name;
    }
    if (input.adminId !== undefined) {
      requireChannelAdmin(userId, channel, 'hand admin over', { unclaimed: true });
      if (!members.some((m) => m.userId === input.adminId)) {
        throw new AppError('USER_NOT_FOUND', `User ${input.adminId} is not a member of this channel`);
      }
      patch.adminId = input.adminId;
    }
    if (input.topic !== undefined) {
      patch.topic = input.topic;
    }
    if (input.isPublic !== undefined && input.isPublic !== channel.isPublic) {
      // Opening a channel shows it (and its history) to everyone; only its admin decides that.
      requireChannelAdmin(userId, channel, 'make it public or private');
      patch.isPublic = input.isPublic;
    }
    if (Object.keys(patch).length > 0) {
      await this.rooms.updateChannel(channel.id, patch);
    }
    const channelDto = toChannelDto({ ...channel, ...patch }, mainRoom.id);
    await this.events.emit('channel.updated', { channel: channelDto, userIds: members.map((m) => m.userId) });
    if (patch.name !== undefined) {
      await this.events.emit('room.updated', { room: toRoomDto({ ...mainRoom, name: patch.name }, members) });
    }
    return { channel: channelDto };
  }

  /** One page of public channels, with member counts and whether I am in each. */
  async directory(
    userId: number,
    input: ClientMessages['channel.directory'],
  ): Promise<{ channels: DirectoryChannelDto[]; nextAfterId: number | null }> {
    const limit = input.limit ?? LIMITS.directoryPageMax;
    const page = await this.rooms.publicChannels(input.afterId ?? 0, limit + 1);
    const shown = page.slice(0, limit);
    const mainRoomIds = shown.map((c) => c.mainRoomId);
    const [counts, mine] = await Promise.all([
      this.rooms.memberCounts(mainRoomIds),
      this.rooms.memberRoomIds(userId, mainRoomIds),
    ]);
    return {
      channels: shown.map(({ channel, mainRoomId }) => ({
        id: channel.id,
        name: channel.name,
        topic: channel.topic,
        memberCount: counts.get(mainRoomId) ?? 0,
        joined: mine.has(mainRoomId),
      })),
      nextAfterId: page.length > limit ? shown[shown.length - 1].channel.id : null,
    };
  }

  /** Join a public channel: what an invitation to its main room does, asked by the joiner. */
  async join(userId: number, channelId: number): Promise<{ channel: ChannelDto; room: RoomDto; state: RoomStateDto }> {
    const { channel, mainRoom } = await this.access.requirePublicChannel(channelId);
    if (await this.rooms.findMembership(mainRoom.id, userId)) {
      throw new AppError('ALREADY_MEMBER', 'You are a member of this channel already');
    }
    const { roomDto, states } = await admitMembers(this.rooms, this.events, this.clock(), mainRoom, mainRoom, [userId]);
    return { channel: toChannelDto(channel, mainRoom.id), room: roomDto, state: memberState(states, userId) };
  }

  /** The named rooms of a channel I belong to, joined or not (any channel member may join them). */
  async roomsOf(userId: number, channelId: number): Promise<ChannelRoomDto[]> {
    const { channel } = await this.access.requireChannelMember(userId, channelId);
    const rooms = (await this.rooms.subRoomsOf(channel.id))
      .sort((a, b) => a.id - b.id)
      .slice(0, LIMITS.channelRoomsMax);
    const ids = rooms.map((r) => r.id);
    const [counts, mine] = await Promise.all([this.rooms.memberCounts(ids), this.rooms.memberRoomIds(userId, ids)]);
    return rooms.map((room) => ({
      id: room.id,
      name: room.name ?? '',
      memberCount: counts.get(room.id) ?? 0,
      joined: mine.has(room.id),
    }));
  }

  /**
   * The operator's hand-over (`pychat create-user --admin`): no permission check, no frame (it runs beside
   * the server, and a channel's admin shows on the next connect).
   */
  async makeAdmin(channelId: number, userId: number): Promise<void> {
    await this.rooms.updateChannel(channelId, { adminId: userId });
  }

  async leave(userId: number, channelId: number): Promise<void> {
    if (channelId === ALL_CHANNEL_ID) {
      throw new AppError('CANNOT_LEAVE_ALL', 'Nobody can leave the "all" channel');
    }
    const { channel, mainRoom } = await this.access.requireChannelMember(userId, channelId);
    if (channel.adminId === userId) {
      throw new AppError('INVALID_OPERATION', 'The channel admin cannot leave it: hand admin over or delete it');
    }
    const subRooms = await this.rooms.subRoomsOf(channel.id);
    const stillIn = (await this.rooms.membersOfRooms(subRooms.map((r) => r.id))).filter((m) => m.userId === userId);
    if (stillIn.length > 0) {
      throw new AppError('CHANNEL_HAS_ROOMS', 'Leave the rooms of this channel first');
    }
    await this.rooms.removeMembers(mainRoom.id, [userId]);
    await this.events.emit('room.membersRemoved', { roomId: mainRoom.id, userIds: [userId] });
    await this.events.emit('channel.removed', { channelId, userIds: [userId] });
    await this.events.emit('room.updated', { room: toRoomDto(mainRoom, await this.rooms.membersOf(mainRoom.id)) });
  }

  async delete(userId: number, channelId: number): Promise<void> {
    const { channel, mainRoom } = await this.access.requireChannelMember(userId, channelId);
    if (channel.id === ALL_CHANNEL_ID) {
      throw new AppError('INVALID_OPERATION', 'The "all" channel cannot be deleted');
    }
    requireChannelAdmin(userId, channel, 'delete it');
    const rooms = [mainRoom, ...(await this.rooms.subRoomsOf(channel.id))];
    const members = await this.rooms.membersOfRooms(rooms.map((r) => r.id));
    await this.rooms.softDeleteRooms(
      rooms.map((r) => r.id),
      this.clock(),
      channel.id,
    );
    for (const room of rooms) {
      const userIds = members.filter((m) => m.roomId === room.id).map((m) => m.userId);
      await this.events.emit('room.membersRemoved', { roomId: room.id, userIds });
    }
    const everyone = [...new Set(members.map((m) => m.userId))];
    await this.events.emit('channel.removed', { channelId, userIds: everyone });
  }
}
