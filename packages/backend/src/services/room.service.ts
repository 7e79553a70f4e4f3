import {
  ALL_ROOM_ID,
  LIMITS,
  type ChannelDto,
  type ClientMessages,
  type RoomDto,
  type RoomMemberDto,
  type RoomStateDto,
} from '@pychat/protocol';
import type { ChannelEntity, RoomEntity, RoomMemberEntity } from '../entities';
import { AppError } from '../errors';
import type { ConnectMembership, RoomRepository } from '../repositories/room.repository';
import type { UserRepository } from '../repositories/user.repository';
import { requireRoomAdmin, type AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** Per-user caps (PYCHAT_MAX_CHANNELS_PER_USER, PYCHAT_MAX_ROOMS_PER_USER). */
export interface RoomLimits {
  channelsPerUser: number;
  roomsPerUser: number;
}

export function toMemberDto(member: Pick<RoomMemberEntity, 'userId' | 'lastReadMessageId'>): RoomMemberDto {
  return { userId: member.userId, lastReadMessageId: member.lastReadMessageId };
}

/**
 * A big room goes out without its member list (`members: null`): one room.updated to 5,000 members would
 * otherwise carry 5,000 × 5,000 entries. Pass `memberCount` when `members` was not loaded.
 */
export function toRoomDto(
  room: RoomEntity,
  members: readonly Pick<RoomMemberEntity, 'userId' | 'lastReadMessageId'>[],
  memberCount = members.length,
): RoomDto {
  const inline = memberCount <= LIMITS.roomMembersInlineMax;
  return {
    id: room.id,
    kind: room.kind,
    name: room.name,
    channelId: room.channelId,
    adminId: room.adminId,
    p2p: room.p2p,
    pinsAdminOnly: room.pinsAdminOnly,
    memberCount,
    members: inline ? members.map(toMemberDto) : null,
  };
}

export function toChannelDto(channel: ChannelEntity, mainRoomId: number): ChannelDto {
  return {
    id: channel.id,
    name: channel.name,
    adminId: channel.adminId,
    mainRoomId,
    isPublic: channel.isPublic,
    topic: channel.topic,
  };
}

export function toStateDto(member: RoomMemberEntity, unread = 0, lastMessageId = 0): RoomStateDto {
  return {
    roomId: member.roomId,
    volume: member.volume,
    notifications: member.notifications,
    unread,
    lastMessageId,
  };
}

const BIG_ROOM_COUNT_TTL_MS = 10_000;

/** A membership as the connect path reads it: the room, my row, its small member list and its channel. */
export type Membership = ConnectMembership;

export interface RoomsSnapshot {
  rooms: RoomDto[];
  states: RoomStateDto[];
  channels: ChannelDto[];
  roomIds: number[];
}

/**
 * Caps what one account can make the server store and fan out. Counted before the insert, so concurrent
 * creations of one user may pass it by a few (the per-socket rate limit keeps that small).
 */
export async function requireBelowCap(
  rooms: RoomRepository,
  cap: number,
  userId: number,
  kind: 'channels' | 'rooms',
): Promise<void> {
  if (Number.isFinite(cap) && (await rooms.countAdministered(userId))[kind] >= cap) {
    throw new AppError('LIMIT_REACHED', `You administer ${cap} ${kind} already, the most allowed; delete one first`);
  }
}

/** Distinct ids of existing users other than me; USER_NOT_FOUND names the first unknown one. */
export async function requireUsers(users: UserRepository, userIds: number[], me: number): Promise<number[]> {
  const wanted = [...new Set(userIds)].filter((id) => id !== me);
  const found = new Set((await users.findByIds(wanted)).map((u) => u.id));
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError('USER_NOT_FOUND', `User ${missing[0]} does not exist`);
  }
  return wanted;
}

export function memberOf(members: RoomMemberEntity[], userId: number): RoomMemberEntity {
  const member = members.find((m) => m.userId === userId);
  if (!member) {
    throw new AppError('INTERNAL', 'Membership row missing right after it was written');
  }
  return member;
}

export function memberState(states: Map<number, RoomStateDto>, userId: number): RoomStateDto {
  const state = states.get(userId);
  if (!state) {
    throw new AppError('INTERNAL', 'Membership row missing right after it was written');
  }
  return state;
}

/**
 * Adds users to a live room and tells everyone: the existing members get `room.updated`, the newcomers the room
 * (and, for a channel's main room, the channel). Invitations and joins share it, so joining emits what inviting
 * does. Newcomers can read the history, but it is not "unread" for them: their read pointer starts at its end.
 */
export async function admitMembers(
  rooms: RoomRepository,
  events: DomainEventBus,
  now: number,
  room: RoomEntity,
  mainRoom: RoomEntity | null,
  userIds: number[],
): Promise<{ roomDto: RoomDto; channelDto: ChannelDto | null; states: Map<number, RoomStateDto> }> {
  const lastId = (await rooms.lastMessageIds([room.id])).get(room.id) ?? 0;
  await rooms.addMembers(
    room.id,
    userIds.map((id) => ({ userId: id, lastReadMessageId: lastId })),
    now,
  );
  const members = await rooms.membersOf(room.id);
  const roomDto = toRoomDto(room, members);
  const channel = room.channelId === null ? null : await rooms.findChannel(room.channelId);
  const channelDto = channel && mainRoom ? toChannelDto(channel, mainRoom.id) : null;
  await events.emit('room.updated', { room: roomDto });
  if (room.kind === 'channel' && channelDto) {
    await events.emit('channel.added', { channel: channelDto, userIds });
  }
  const states = new Map(
    members.filter((m) => userIds.includes(m.userId)).map((m) => [m.userId, toStateDto(m, 0, lastId)] as const),
  );
  await events.emit('room.membersAdded', {
    room: roomDto,
    channel: channelDto,
    states: [...states].map(([userId, state]) => ({ userId, state })),
  });
  return { roomDto, channelDto, states };
}

/** Rooms, direct rooms and memberships: the rules of docs/architecture.md "Rooms"; channels are ChannelService's. */
export class RoomService {
  readonly #bigRoomCounts = new Map<number, { count: number; at: number }>();

  constructor(
    private readonly rooms: RoomRepository,
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    private readonly limits: RoomLimits = { channelsPerUser: Infinity, roomsPerUser: Infinity },
  ) {}

  /**
   * Everything about my rooms for the first frame of a connection: the memberships (with the small rooms'
   * members and the channels, one statement), then unread counts with newest ids (one per 50 rooms) and the
   * big rooms' member counts (cached, so usually none).
   */
  async snapshot(userId: number, known?: ConnectMembership[]): Promise<RoomsSnapshot> {
    const memberships = known ?? (await this.rooms.connectMembershipsOf(userId));
    const roomIds = memberships.map(({ room }) => room.id);
    const [bigCounts, counters] = await Promise.all([
      this.memberCounts(memberships.filter((m) => m.members === null).map(({ room }) => room.id)),
      // Unread counts and newest ids in one statement: each is a seek or two in (room_id, id) per room.
      this.rooms.unreadAndNewest(
        userId,
        memberships.map(({ member }) => ({ roomId: member.roomId, lastReadMessageId: member.lastReadMessageId })),
      ),
    ]);
    const channels = new Map<number, ChannelDto>();
    for (const { channel } of memberships) {
      if (channel && !channels.has(channel.channel.id)) {
        channels.set(channel.channel.id, toChannelDto(channel.channel, channel.mainRoomId));
      }
    }
    return {
      roomIds,
      rooms: memberships.map(({ room, members }) =>
        members
          ? toRoomDto(room, members)
          : toRoomDto(room, [], bigCounts.get(room.id) ?? LIMITS.roomMembersInlineMax + 1),
      ),
      states: memberships.map(({ room, member }) =>
        toStateDto(member, counters.get(room.id)?.unread ?? 0, counters.get(room.id)?.lastMessageId ?? 0),
      ),
      channels: [...channels.values()].sort((a, b) => a.id - b.id),
    };
  }

  /**
   * Counting the "all" room's members scans its whole index (~1 ms at 15,000 users) on every connect, so big
   * rooms' counts are reused for BIG_ROOM_COUNT_TTL_MS. A stale count only shifts "N members" for a few
   * seconds; a room near the inline limit may come with or without its list, and clients handle both.
   */
  private async memberCounts(roomIds: number[]): Promise<Map<number, number>> {
    const now = this.clock();
    const counts = new Map<number, number>();
    const missing: number[] = [];
    for (const id of roomIds) {
      const cached = this.#bigRoomCounts.get(id);
      if (cached && now - cached.at < BIG_ROOM_COUNT_TTL_MS) {
        counts.set(id, cached.count);
      } else {
        missing.push(id);
      }
    }
    for (const [id, count] of await this.rooms.memberCounts(missing)) {
      counts.set(id, count);
      if (count > LIMITS.roomMembersInlineMax) {
        this.#bigRoomCounts.set(id, { count, at: now });
      }
    }
    return counts;
  }

  /** My live rooms with my membership rows: read once per connect, then handed to `snapshot`. */
  memberships(userId: number): Promise<ConnectMembership[]> {
    return this.rooms.connectMembershipsOf(userId);
  }

  async members(userId: number, roomId: number): Promise<RoomMemberDto[]> {
    await this.access.requireRoomMember(userId, roomId);
    return (await this.rooms.membersOf(roomId)).map(toMemberDto);
  }

  async createRoom(
    userId: number,
    input: ClientMessages['room.create'],
  ): Promise<{ room: RoomDto; state: RoomStateDto }> {
    const { channel, mainRoom } = await this.access.requireChannelMember(userId, input.channelId);
    await requireBelowCap(this.rooms, this.limits.roomsPerUser, userId, 'rooms');
    const invitees = await requireUsers(this.users, input.userIds, userId);
    await this.requireChannelMembers(mainRoom.id, invitees);
    const now = this.clock();
    const room = await this.rooms.createRoom(
      {
        kind: 'room',
        name: input.name,
        channelId: channel.id,
        adminId: userId,
        p2p: false,
        pinsAdminOnly: false,
        directKey: null,
        createdAt: now,
        deletedAt: null,
      },
      [{ userId }, ...invitees.map((id) => ({ userId: id }))],
      now,
    );
    const members = await this.rooms.membersOf(room.id);
    const roomDto = toRoomDto(room, members);
    await this.events.emit('room.membersAdded', {
      room: roomDto,
      channel: toChannelDto(channel, mainRoom.id),
      states: members.map((m) => ({ userId: m.userId, state: toStateDto(m) })),
    });
    return { room: roomDto, state: toStateDto(memberOf(members, userId)) };
  }

  /** Opens the direct room with another user: returns the live one, revives a disabled one, or creates it. */
  async createDirect(
    userId: number,
    input: ClientMessages['room.createDirect'],
  ): Promise<{ room: RoomDto; state: RoomStateDto }> {
    if (input.userId === userId) {
      throw new AppError('INVALID_OPERATION', 'A direct room needs another user');
    }
    await requireUsers(this.users, [input.userId], userId);
    const directKey = [userId, input.userId].sort((a, b) => a - b).join(':');
    const existing = await this.rooms.findDirectByKey(directKey);
    const now = this.clock();
    if (existing && existing.deletedAt === null) {
      const members = await this.rooms.membersOf(existing.id);
      const me = memberOf(members, userId);
      const lastIds = await this.rooms.lastMessageIds([existing.id]);
      const unread = (await this.rooms.unreadCounts(userId)).get(existing.id) ?? 0;
      return { room: toRoomDto(existing, members), state: toStateDto(me, unread, lastIds.get(existing.id) ?? 0) };
    }
    const p2p = input.p2p ?? false;
    const members = [{ userId }, { userId: input.userId }];
    let room: RoomEntity;
    if (existing) {
      await this.rooms.reviveDirect(existing.id, p2p, members, now);
      room = { ...existing, deletedAt: null, p2p };
    } else {
      room = await this.rooms.createRoom(
        {
          kind: 'direct',
          name: null,
          channelId: null,
          adminId: null,
          p2p,
          pinsAdminOnly: false,
          directKey,
          createdAt: now,
          deletedAt: null,
        },
        members,
        now,
      );
    }
    const saved = await this.rooms.membersOf(room.id);
    const lastId = (await this.rooms.lastMessageIds([room.id])).get(room.id) ?? 0;
    const roomDto = toRoomDto(room, saved);
    // A revived room has its old history: each member's unread count is what their kept read pointer says.
    const states = await Promise.all(
      saved.map(async (m) => {
        const unread = (await this.rooms.unreadCounts(m.userId)).get(room.id) ?? 0;
        return { userId: m.userId, state: toStateDto(m, unread, lastId) };
      }),
    );
    await this.events.emit('room.membersAdded', { room: roomDto, channel: null, states });
    const mine = states.find((s) => s.userId === userId);
    return { room: roomDto, state: mine ? mine.state : toStateDto(memberOf(saved, userId), 0, lastId) };
  }

  async invite(userId: number, input: ClientMessages['room.invite']): Promise<{ room: RoomDto }> {
    const { room } = await this.access.requireRoomMember(userId, input.roomId);
    if (room.kind === 'direct') {
      throw new AppError('INVALID_OPERATION', 'Nobody can be invited to a direct room; create a room instead');
    }
    const invitees = await requireUsers(this.users, input.userIds, userId);
    const current = new Set((await this.rooms.membersOf(room.id)).map((m) => m.userId));
    const already = invitees.filter((id) => current.has(id));
    if (already.length > 0) {
      throw new AppError('ALREADY_MEMBER', `Already members: ${already.join(', ')}`);
    }
    const mainRoom = room.channelId === null ? null : await this.rooms.mainRoomOf(room.channelId);
    if (room.kind === 'room' && mainRoom) {
      await this.requireChannelMembers(mainRoom.id, invitees);
    }
    const { roomDto } = await admitMembers(this.rooms, this.events, this.clock(), room, mainRoom, invitees);
    return { room: roomDto };
  }

  /** Any member of the channel may join its named rooms (the create-channel page promises they see them). */
  async join(userId: number, roomId: number): Promise<{ room: RoomDto; state: RoomStateDto }> {
    const { room, mainRoom } = await this.access.requireJoinableRoom(userId, roomId);
    const { roomDto, states } = await admitMembers(this.rooms, this.events, this.clock(), room, mainRoom, [userId]);
    return { room: roomDto, state: memberState(states, userId) };
  }

  async leave(userId: number, roomId: number): Promise<void> {
    const { room } = await this.access.requireRoomMember(userId, roomId);
    if (room.id === ALL_ROOM_ID) {
      throw new AppError('CANNOT_LEAVE_ALL', 'Nobody can leave the "all" room');
    }
    if (room.kind === 'channel') {
      throw new AppError('INVALID_OPERATION', 'This is the main room of a channel: leave the channel instead');
    }
    const now = this.clock();
    if (room.kind === 'direct') {
      // Leaving a direct room closes it for both; history stays and comes back if it is re-opened.
      const members = await this.rooms.membersOf(room.id);
      await this.rooms.disableDirect(room.id, now);
      await this.events.emit('room.membersRemoved', { roomId: room.id, userIds: members.map((m) => m.userId) });
      return;
    }
    await this.rooms.removeMembers(room.id, [userId]);
    if (room.adminId === userId) {
      await this.rooms.updateRoom(room.id, { adminId: null });
      room.adminId = null;
    }
    await this.events.emit('room.membersRemoved', { roomId: room.id, userIds: [userId] });
    await this.events.emit('room.updated', { room: toRoomDto(room, await this.rooms.membersOf(room.id)) });
  }

  /** Only a room's admin deletes it (pychat's server let any member; its UI did not). */
  async delete(userId: number, roomId: number): Promise<void> {
    const { room } = await this.access.requireRoomMember(userId, roomId);
    if (room.kind === 'channel') {
      throw new AppError('INVALID_OPERATION', 'This is the main room of a channel: delete the channel instead');
    }
    if (room.kind === 'direct') {
      return this.leave(userId, roomId);
    }
    requireRoomAdmin(userId, room, 'delete it');
    const members = await this.rooms.membersOf(room.id);
    await this.rooms.softDeleteRooms([room.id], this.clock());
    await this.events.emit('room.membersRemoved', { roomId: room.id, userIds: members.map((m) => m.userId) });
  }

  async update(userId: number, input: ClientMessages['room.update']): Promise<{ room: RoomDto }> {
    const { room } = await this.access.requireRoomMember(userId, input.roomId);
    const members = await this.rooms.membersOf(room.id);
    const patch: Partial<Pick<RoomEntity, 'name' | 'adminId' | 'p2p' | 'pinsAdminOnly'>> = {};
    if (input.name !== undefined) {
      if (room.kind !== 'room') {
        throw new AppError(
          'INVALID_OPERATION',
          room.kind === 'direct' ? 'Direct rooms have no name' : 'Rename the channel instead',
        );
      }
      patch.name = input.name;
    }
    if (input.adminId !== undefined) {
      if (room.kind !== 'room') {
        throw new AppError('INVALID_OPERATION', 'Only rooms in a channel have an admin here');
      }
      requireRoomAdmin(userId, room, 'hand admin over', { unclaimed: true });
      if (!members.some((m) => m.userId === input.adminId)) {
        throw new AppError('USER_NOT_FOUND', `User ${input.adminId} is not a member of this room`);
      }
      patch.adminId = input.adminId;
    }
    if (input.p2p !== undefined) {
      if (room.kind !== 'direct') {
        throw new AppError('INVALID_OPERATION', 'Only direct rooms can be peer-to-peer');
      }
      patch.p2p = input.p2p;
    }
    if (input.pinsAdminOnly !== undefined) {
      if (room.kind === 'direct') {
        throw new AppError('INVALID_OPERATION', 'Direct rooms have no admin: both may pin');
      }
      const channel =
        room.kind === 'channel' && room.channelId !== null ? await this.rooms.findChannel(room.channelId) : null;
      if (channel?.adminId !== userId) {
        requireRoomAdmin(userId, room, 'choose who may pin');
      }
      patch.pinsAdminOnly = input.pinsAdminOnly;
    }
    if (Object.keys(patch).length > 0) {
      await this.rooms.updateRoom(room.id, patch);
    }
    const roomDto = toRoomDto({ ...room, ...patch }, members);
    await this.events.emit('room.updated', { room: roomDto });
    return { room: roomDto };
  }

  async updateSettings(userId: number, input: ClientMessages['room.updateSettings']): Promise<{ state: RoomStateDto }> {
    const { member } = await this.access.requireRoomMember(userId, input.roomId);
    const patch = { volume: input.volume ?? member.volume, notifications: input.notifications ?? member.notifications };
    await this.rooms.updateMember(input.roomId, userId, patch);
    const unread = (await this.rooms.unreadCounts(userId)).get(input.roomId) ?? 0;
    const lastId = (await this.rooms.lastMessageIds([input.roomId])).get(input.roomId) ?? 0;
    const state = toStateDto({ ...member, ...patch }, unread, lastId);
    await this.events.emit('room.settingsChanged', { userId, state });
    return { state };
  }

  private async requireChannelMembers(mainRoomId: number, userIds: number[]): Promise<void> {
    if (userIds.length === 0) {
      return;
    }
    const inChannel = new Set((await this.rooms.membersOf(mainRoomId)).map((m) => m.userId));
    const outside = userIds.filter((id) => !inChannel.has(id));
    if (outside.length > 0) {
      throw new AppError('NOT_CHANNEL_MEMBER', `User ${outside[0]} is not a member of this channel`);
    }
  }
}
