import type { TransferService } from '../../services/transfer.service';
import type { Handlers, WsContext } from '../context';

type TransferHandlers = Pick<
  Handlers,
  'transfer.offer' | 'transfer.accept' | 'transfer.decline' | 'transfer.cancel' | 'transfer.signal'
>;

/** Transfers are per device, like calls: the socket is the sender's or receiver's identity. */
function device(ctx: WsContext) {
  return { userId: ctx.userId, connId: ctx.conn.id };
}

export function transferHandlers(transfers: TransferService): TransferHandlers {
  return {
    'transfer.offer': (ctx, data) => transfers.offer(device(ctx), data),
    'transfer.accept': async (ctx, data) => {
      await transfers.accept(device(ctx), data);
      return {};
    },
    'transfer.decline': async (ctx, data) => {
      await transfers.decline(device(ctx), data.transferId);
      return {};
    },
    'transfer.cancel': async (ctx, data) => {
      await transfers.cancel(device(ctx), data);
      return {};
    },
    'transfer.signal': async (ctx, data) => {
      await transfers.signal(device(ctx), data);
      return {};
    },
  };
}
