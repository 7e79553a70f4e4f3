import type { CallService, Device } from '../../services/call.service';
import type { Handlers, WsContext } from '../context';

type CallHandlers = Pick<
  Handlers,
  | 'call.start'
  | 'call.join'
  | 'call.decline'
  | 'call.leave'
  | 'call.list'
  | 'rtc.offer'
  | 'rtc.answer'
  | 'rtc.candidate'
>;

/** Calls are per device: the socket, not only the user, is the caller's identity. */
function device(ctx: WsContext): Device {
  return { userId: ctx.userId, connId: ctx.conn.id };
}

export function callHandlers(calls: CallService): CallHandlers {
  return {
    'call.start': (ctx, data) => calls.startCall(device(ctx), data),
    'call.join': (ctx, data) => calls.join(device(ctx), data.callId),
    'call.decline': async (ctx, data) => {
      await calls.decline(device(ctx), data.callId);
      return {};
    },
    'call.leave': async (ctx, data) => {
      await calls.leave(device(ctx), data.callId);
      return {};
    },
    // The socket's room index is its memberships, kept current by the bus: no query.
    'call.list': async (ctx) => ({ calls: await calls.list(ctx.conn.rooms) }),
    'rtc.offer': async (ctx, data) => {
      await calls.signal(device(ctx), 'rtc.offer', data);
      return {};
    },
    'rtc.answer': async (ctx, data) => {
      await calls.signal(device(ctx), 'rtc.answer', data);
      return {};
    },
    'rtc.candidate': async (ctx, data) => {
      await calls.signal(device(ctx), 'rtc.candidate', data);
      return {};
    },
  };
}
