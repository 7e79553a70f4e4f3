import type { Clock } from '../../services/clock';
import type { PresenceService } from '../../services/presence.service';
import type { Handlers } from '../context';

export function presenceHandlers(
  presence: PresenceService,
  clock: Clock,
): Pick<Handlers, 'typing.start' | 'session.ping'> {
  return {
    'typing.start': async (ctx, data) => {
      await presence.typing(ctx.userId, data.roomId);
      return {};
    },
    // Any frame resets the idle timer; this one also tells the client the server is alive.
    'session.ping': async () => ({ serverTime: clock() }),
  };
}
