// Plain constants with no schema library behind them, so browsers can import them without zod
// (`@pychat/protocol/constants`).
export { LIMITS } from './model/limits';
export { CLOSE_CODES, ERROR_CODES, type ErrorCode } from './model/errors';

/** The "all" room every user belongs to and cannot leave; seeded by the first migration. */
export const ALL_ROOM_ID = 1;
/** The channel whose main room is the "all" room. */
export const ALL_CHANNEL_ID = 1;

/**
 * Version of the WebSocket protocol. Clients connect to `/ws?v=<PROTOCOL_VERSION>`; the server refuses
 * other versions with HTTP 426 before the upgrade. Bumped on any incompatible change (see docs/protocol.md).
 * 2: `session.ready` carries only the users changed since `usersSince`, big rooms come without their member
 * list, presence arrives in batches (`presence.changed`).
 * 3: no online list in `session.ready`; a socket hears the presence of the users it subscribed to
 * (`presence.subscribe`) only, so connecting N users no longer sends N² presence ids.
 */
export const PROTOCOL_VERSION = 3;
