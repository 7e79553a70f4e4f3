import { z } from 'zod';
import { ChannelDto, RoomDto, RoomStateDto, UserDto, UserSettingsDto } from '../model/dto';
import { Millis } from '../model/ids';

export const sessionEvents = {
  /**
   * First frame on every connection: everything the client needs to draw the main screen.
   * Messages are not included: fetch them per room with message.history or message.sync.
   */
  'session.ready': z.strictObject({
    protocolVersion: z.number().int(),
    connectionId: z.string(),
    /** Keep it: pass it back as `usersSince` on the next connect (`/ws?v=3&usersSince=<serverTime>`). */
    serverTime: Millis,
    me: UserDto,
    settings: UserSettingsDto,
    /**
     * null: `users` is the whole directory. Otherwise the `usersSince` the client connected with, and `users`
     * holds only the users created or changed since then (merge them into the cached directory).
     */
    usersSince: Millis.nullable(),
    users: z.array(UserDto),
    channels: z.array(ChannelDto),
    rooms: z.array(RoomDto),
    states: z.array(RoomStateDto),
  }),
  /**
   * This session ended: the server closes the socket with 4001 right after. `signed-out`: sign-out of this
   * session or "sign out everywhere"; `password-reset`: `pychat reset-password`; `expired`: unused past the
   * TTL, or deleted while this instance could not be told (the periodic session check found it gone);
   * `deactivated`: a site admin deactivated the account.
   */
  'session.ended': z.strictObject({ reason: z.enum(['signed-out', 'password-reset', 'expired', 'deactivated']) }),
};
