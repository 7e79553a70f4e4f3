import type { P2pService } from '../../services/p2p.service';
import type { Handlers, WsContext } from '../context';

type P2pHandlers = Pick<Handlers, 'p2p.join' | 'p2p.leave' | 'p2p.signal'>;

/** Per device, like transfers: the socket is the device present in the room. */
function device(ctx: WsContext) {
  return { userId: ctx.userId, connId: ctx.conn.id };
}

export function p2pHandlers(p2p: P2pService): P2pHandlers {
  return {
    'p2p.join': (ctx, data) => p2p.join(device(ctx), data.roomId),
    'p2p.leave': async (ctx, data) => {
      await p2p.leave(device(ctx), data.roomId);
      return {};
    },
    'p2p.signal': async (ctx, data) => {
      await p2p.signal(device(ctx), data);
      return {};
    },
  };
}
