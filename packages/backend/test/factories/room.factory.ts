import type { ChannelEntity, RoomEntity, RoomMemberEntity } from '../../src/entities';

let nextRoomId = 100;
let nextChannelId = 100;
let nextMemberId = 100;

/** A live named room inside a channel, without an admin unless given. */
export function makeRoom(overrides: Partial<RoomEntity> = {}): RoomEntity {
  const id = overrides.id ?? nextRoomId++;
  return {
    id,
    kind: 'room',
    name: `room${id}`,
    channelId: 10,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    directKey: null,
    createdAt: 1_700_000_000_000,
    deletedAt: null,
    ...overrides,
  };
}

/** The live direct room of two users, keyed the way RoomService keys it (lower id first). */
export function makeDirectRoom(userA: number, userB: number, overrides: Partial<RoomEntity> = {}): RoomEntity {
  return makeRoom({
    kind: 'direct',
    name: null,
    channelId: null,
    directKey: [userA, userB].sort((a, b) => a - b).join(':'),
    ...overrides,
  });
}

/** The main room of a channel: carries the channel's name and admin. */
export function makeMainRoom(channel: ChannelEntity, overrides: Partial<RoomEntity> = {}): RoomEntity {
  return makeRoom({
    kind: 'channel',
    name: channel.name,
    channelId: channel.id,
    adminId: channel.adminId,
    ...overrides,
  });
}

export function makeChannel(overrides: Partial<ChannelEntity> = {}): ChannelEntity {
  const id = overrides.id ?? nextChannelId++;
  return {
    id,
    name: `channel${id}`,
    adminId: null,
    isPublic: false,
    topic: '',
    createdAt: 1_700_000_000_000,
    deletedAt: null,
    ...overrides,
  };
}

/** A membership with the defaults the repository writes (volume 80, notifications on, nothing read). */
export function makeMember(
  roomId: number,
  userId: number,
  overrides: Partial<RoomMemberEntity> = {},
): RoomMemberEntity {
  return {
    id: nextMemberId++,
    roomId,
    userId,
    volume: 80,
    notifications: true,
    lastReadMessageId: 0,
    joinedAt: 1_700_000_000_000,
    ...overrides,
  };
}
