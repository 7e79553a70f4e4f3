import { z } from 'zod';
import { Empty, UserDto, UserSettingsDto } from '../model/dto';
import { Millis, RoomId, UserId } from '../model/ids';
import { request } from './define';

export const presenceRequests = {
  /** Say I am typing in a room; send at most every few seconds while typing. Members see it for ~7 s. */
  'typing.start': request(z.strictObject({ roomId: RoomId }), Empty),
  /** Heartbeat: the server closes a socket idle for longer than its idle timeout. */
  'session.ping': request(Empty, z.strictObject({ serverTime: Millis })),
  /** Change some of my settings; my other tabs get settings.updated. */
  'settings.update': request(UserSettingsDto.partial(), z.strictObject({ settings: UserSettingsDto })),
};

export const presenceEvents = {
  'typing.started': z.strictObject({ roomId: RoomId, userId: UserId }),
  /** A user's first connection opened (on any instance). */
  'presence.online': z.strictObject({ userId: UserId }),
  /** A user's last connection closed. */
  'presence.offline': z.strictObject({ userId: UserId, lastSeenAt: Millis }),
  'user.created': z.strictObject({ user: UserDto }),
  'user.updated': z.strictObject({ user: UserDto }),
  /** My settings changed (sent to all my connections). */
  'settings.updated': z.strictObject({ settings: UserSettingsDto }),
};
