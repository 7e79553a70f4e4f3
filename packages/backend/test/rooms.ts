import type { ChannelEntity } from '../src/entities';
import type { ChannelService } from '../src/services/channel.service';
import type { RoomService } from '../src/services/room.service';
import { makeMainRoom, makeMember } from './factories/room.factory';
import { makeUser } from './factories/user.factory';
import { createTestService, type TestContext } from './service';

/** Shared by the RoomService and ChannelService specs: the acting user and two others. */
export const ME = 7;
export const BOB = 8;
export const CAROL = 9;

/** The service over mocks where every user id exists and no room has messages yet. */
export function setupRooms<S extends RoomService | ChannelService>(
  Service: abstract new (...args: never[]) => S,
): TestContext & { sut: S } {
  const ctx = createTestService(Service);
  ctx.users.findByIds.mockImplementation(async (ids) => ids.map((id) => makeUser({ id })));
  ctx.rooms.lastMessageIds.mockResolvedValue(new Map());
  ctx.rooms.unreadCounts.mockResolvedValue(new Map());
  return ctx;
}

/** I am a member of `channel`, whose main room has `memberIds`. */
export function givenChannel(ctx: TestContext, channel: ChannelEntity, memberIds: number[]) {
  const mainRoom = makeMainRoom(channel);
  const members = memberIds.map((id) => makeMember(mainRoom.id, id));
  ctx.access.requireChannelMember.mockResolvedValue({
    channel,
    mainRoom,
    member: members.find((m) => m.userId === ME)!,
  });
  ctx.rooms.mainRoomOf.mockResolvedValue(mainRoom);
  ctx.rooms.findChannel.mockResolvedValue(channel);
  ctx.rooms.membersOf.mockImplementation(async (roomId) => (roomId === mainRoom.id ? [...members] : []));
  return { mainRoom, members };
}
