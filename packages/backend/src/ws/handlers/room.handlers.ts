import type { RoomService } from '../../services/room.service';
import type { Handlers } from '../context';

type RoomHandlers = Pick<
  Handlers,
  | 'room.create'
  | 'room.createDirect'
  | 'room.invite'
  | 'room.leave'
  | 'room.delete'
  | 'room.update'
  | 'room.updateSettings'
  | 'room.members'
  | 'room.join'
>;

export function roomHandlers(rooms: RoomService): RoomHandlers {
  return {
    'room.create': (ctx, data) => rooms.createRoom(ctx.userId, data),
    'room.createDirect': (ctx, data) => rooms.createDirect(ctx.userId, data),
    'room.invite': (ctx, data) => rooms.invite(ctx.userId, data),
    'room.join': (ctx, data) => rooms.join(ctx.userId, data.roomId),
    'room.leave': async (ctx, data) => {
      await rooms.leave(ctx.userId, data.roomId);
      return {};
    },
    'room.delete': async (ctx, data) => {
      await rooms.delete(ctx.userId, data.roomId);
      return {};
    },
    'room.update': (ctx, data) => rooms.update(ctx.userId, data),
    'room.updateSettings': (ctx, data) => rooms.updateSettings(ctx.userId, data),
    'room.members': async (ctx, data) => ({ members: await rooms.members(ctx.userId, data.roomId) }),
  };
}
