import type { ServerEventType } from '@pychat/protocol';

/**
 * Who receives a published frame, and how receiving instances update their room index before or after
 * delivering it. The frame itself travels pre-serialized after a newline, so it is serialized once per
 * fan-out and written to sockets as is.
 */
export type Target =
  /**
   * Every local connection that holds the room (minus one user's, or one connection); `detach`: forget the
   * room afterwards.
   */
  | { room: number; exceptUser?: number; exceptConn?: string; detach?: boolean }
  /** One connection, by id, on whichever instance holds it (WebRTC signalling to one device). */
  | { conn: string }
  /** All connections of these users; `join` attaches a room before delivery, `leave` detaches it after. */
  | { users: number[]; join?: number; leave?: number }
  /** Every connection of these sessions; `close` ends them with SESSION_ENDED (4001) after the frame. */
  | { sessions: number[]; close: true }
  /** The same for one session: what instances before "sign out everywhere" publish (rolling upgrades). */
  | { session: number; close: true }
  /**
   * A presence.changed batch: each receiving instance sends every socket the part naming users it subscribed to
   * (`presence.subscribe`), and nothing to the others.
   */
  | { presence: true }
  /** A room.online count: the local sockets that follow the room's count (presence.subscribe) and hold the room. */
  | { roomOnline: number }
  /** Every connection. */
  | { all: true; exceptUser?: number };

export function encodeEnvelope(target: Target, frame: string): string {
  return `${JSON.stringify(target)}\n${frame}`;
}

export function decodeEnvelope(message: string): { target: Target; frame: string } {
  const newline = message.indexOf('\n');
  return { target: JSON.parse(message.slice(0, newline)) as Target, frame: message.slice(newline + 1) };
}

const TYPE_PREFIX = '{"type":"';

/**
 * The event type of the frame in an envelope, read without parsing the frame (FanoutService serializes `type`
 * first); undefined for a frame that does not start so. The bus carries only frames this code published.
 */
export function frameTypeOf(message: string): ServerEventType | undefined {
  const start = message.indexOf('\n') + 1;
  if (start === 0 || !message.startsWith(TYPE_PREFIX, start)) {
    return undefined;
  }
  const from = start + TYPE_PREFIX.length;
  const end = message.indexOf('"', from);
  return end < 0 ? undefined : (message.slice(from, end) as ServerEventType);
}
