import { z } from 'zod';
import { Empty, UserDto, UserSettingsDto, UserStatus } from '../model/dto';
import { LIMITS } from '../model/limits';
import { ProfileText } from '../model/text';
import { Millis, RoomId, UserId } from '../model/ids';
import { request } from './define';

/** How many members of a room are online: users with at least one open socket, counted once however many. */
export const RoomOnlineDto = z.strictObject({ roomId: RoomId, online: z.number().int().nonnegative() });
export type RoomOnlineDto = z.infer<typeof RoomOnlineDto>;

export const presenceRequests = {
  /** Say I am typing in a room; send at most every few seconds while typing. Members see it for ~7 s. */
  'typing.start': request(z.strictObject({ roomId: RoomId }), Empty),
  /** Heartbeat: the server closes a socket idle for longer than its idle timeout. */
  'session.ping': request(Empty, z.strictObject({ serverTime: Millis })),
  /**
   * Protocol v3: the users whose presence this socket shows (members of the open room, direct-message
   * partners, people in the sidebar, mention candidates). Replaces the socket's previous set; `presence.changed`
   * then names only these users. The reply is their state now. At most `LIMITS.presenceSubscribeMax` ids
   * (VALIDATION_FAILED beyond): a client showing more shows the ones nearest the viewport.
   *
   * `roomIds`: rooms whose online count this socket shows (a big room's header), at most
   * `LIMITS.presenceRoomsMax`; replaced like the users (absent: none). The reply's `rooms` has their count now,
   * then `room.online` brings changes. Rooms this socket is not a member of are left out of both.
   */
  'presence.subscribe': request(
    z.strictObject({
      userIds: z.array(UserId).max(LIMITS.presenceSubscribeMax),
      roomIds: z.array(RoomId).max(LIMITS.presenceRoomsMax).optional(),
    }),
    z.strictObject({
      online: z.array(UserId),
      offline: z.array(z.strictObject({ userId: UserId, lastSeenAt: Millis.nullable() })),
      /** Only when `roomIds` was sent: the online count of each of them this socket is a member of. */
      rooms: z.array(RoomOnlineDto).optional(),
    }),
  ),
  /** Change some of my settings; my other tabs get settings.updated. */
  /**
   * Set my status: `available` clears it. Everyone gets `user.updated` with my UserDto's `status` / `statusText`;
   * while `dnd`, my devices play no sound and show no notification, and the server sends me no Web Push.
   */
  'status.set': request(
    z.strictObject({
      status: z.union([UserStatus, z.literal('available')]),
      text: ProfileText('Status', LIMITS.statusTextMaxLength).optional(),
    }),
    z.strictObject({ user: UserDto }),
  ),
  'settings.update': request(UserSettingsDto.partial(), z.strictObject({ settings: UserSettingsDto })),
};

export const presenceEvents = {
  'typing.started': z.strictObject({ roomId: RoomId, userId: UserId }),
  /**
   * Users whose first connection opened (`online`) or whose last one closed (`offline`), batched per server
   * instance every few hundred milliseconds: one frame per batch instead of one per connect for everyone.
   * A user is in at most one list of a batch (their final state). Protocol v3: only users this socket named
   * in its last `presence.subscribe`, and no frame when the batch names none of them.
   */
  'presence.changed': z.strictObject({
    online: z.array(UserId),
    offline: z.array(z.strictObject({ userId: UserId, lastSeenAt: Millis })),
  }),
  /**
   * A room's online count changed: to sockets that named the room in `presence.subscribe`'s `roomIds` and are its
   * members, at most once per `PYCHAT_ROOM_ONLINE_MS` per room, with the count at the end of that window. A
   * count, not a list: what a big room's header shows costs the same whatever the room's size.
   */
  'room.online': RoomOnlineDto,
  'user.created': z.strictObject({ user: UserDto }),
  'user.updated': z.strictObject({ user: UserDto }),
  /** My settings changed (sent to all my connections). */
  'settings.updated': z.strictObject({ settings: UserSettingsDto }),
};
