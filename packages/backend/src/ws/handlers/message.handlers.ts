import type { MessageService } from '../../services/message.service';
import type { Handlers } from '../context';

type MessageHandlers = Pick<
  Handlers,
  | 'message.send'
  | 'message.edit'
  | 'message.delete'
  | 'message.history'
  | 'message.sync'
  | 'message.search'
  | 'message.read'
  | 'message.unread'
  | 'message.react'
  | 'message.pin'
  | 'message.pins'
>;

export function messageHandlers(messages: MessageService): MessageHandlers {
  return {
    'message.send': (ctx, data) => messages.send(ctx.userId, data),
    'message.edit': (ctx, data) => messages.edit(ctx.userId, data),
    'message.delete': (ctx, data) => messages.delete(ctx.userId, data.messageId),
    'message.history': (ctx, data) => messages.history(ctx.userId, data),
    'message.sync': (ctx, data) => messages.sync(ctx.userId, data),
    'message.search': (ctx, data) => messages.search(ctx.userId, data),
    'message.read': (ctx, data) => messages.markRead(ctx.userId, data),
    'message.unread': (ctx, data) => messages.markUnread(ctx.userId, data),
    'message.react': (ctx, data) => messages.react(ctx.userId, data),
    'message.pin': (ctx, data) => messages.pin(ctx.userId, data),
    'message.pins': (ctx, data) => messages.pins(ctx.userId, data),
  };
}
