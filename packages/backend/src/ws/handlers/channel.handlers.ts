import type { ChannelService } from '../../services/channel.service';
import type { Handlers } from '../context';

type ChannelHandlers = Pick<
  Handlers,
  | 'channel.create'
  | 'channel.update'
  | 'channel.leave'
  | 'channel.delete'
  | 'channel.directory'
  | 'channel.join'
  | 'channel.rooms'
>;

export function channelHandlers(channels: ChannelService): ChannelHandlers {
  return {
    'channel.create': (ctx, data) => channels.create(ctx.userId, data),
    'channel.update': (ctx, data) => channels.update(ctx.userId, data),
    'channel.directory': (ctx, data) => channels.directory(ctx.userId, data),
    'channel.join': (ctx, data) => channels.join(ctx.userId, data.channelId),
    'channel.rooms': async (ctx, data) => ({ rooms: await channels.roomsOf(ctx.userId, data.channelId) }),
    'channel.leave': async (ctx, data) => {
      await channels.leave(ctx.userId, data.channelId);
      return {};
    },
    'channel.delete': async (ctx, data) => {
      await channels.delete(ctx.userId, data.channelId);
      return {};
    },
  };
}
