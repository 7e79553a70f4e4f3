import type { Clock } from '../../services/clock';
import type { PresenceService } from '../../services/presence.service';
import type { RoomOnlineService } from '../../services/room-online.service';
import type { UserService } from '../../services/user.service';
import type { ConnectionRegistry } from '../connections';
import type { Handlers } from '../context';

export function presenceHandlers(
  presence: PresenceService,
  users: UserService,
  connections: Pick<ConnectionRegistry, 'subscribePresence' | 'watchRooms'>,
  clock: Clock,
  roomOnline: Pick<RoomOnlineService, 'counts'>,
): Pick<Handlers, 'typing.start' | 'session.ping' | 'settings.update' | 'presence.subscribe' | 'status.set'> {
  return {
    // Subscribed before the state is read: a batch flushed in between is in the reply or arrives after it.
    'presence.subscribe': async (ctx, data) => {
      connections.subscribePresence(ctx.conn, data.userIds);
      connections.watchRooms(ctx.conn, data.roomIds ?? []);
      const state = await presence.stateOf(data.userIds);
      if (data.roomIds === undefined) {
        return state;
      }
      // The socket's room index is its membership (kept by the bus in order with room.added / room.removed): a room
      // it does not hold is left out, so a non-member cannot tell a room from a made-up id or learn its count.
      const held = [...new Set(data.roomIds)].filter((roomId) => ctx.conn.rooms.has(roomId));
      return { ...state, rooms: await roomOnline.counts(held) };
    },
    'typing.start': async (ctx, data) => {
      await presence.typing(ctx.userId, data.roomId);
      return {};
    },
    // Any frame resets the idle timer; this one also tells the client the server is alive.
    'session.ping': async () => ({ serverTime: clock() }),
    'settings.update': async (ctx, data) => ({ settings: await users.updateSettings(ctx.userId, data) }),
    'status.set': (ctx, data) => users.setStatus(ctx.userId, data),
  };
}
