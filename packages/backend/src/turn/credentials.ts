import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`): the username is
 * `<expiry unix seconds>:<userId>` and the password is base64(HMAC-SHA1(secret, username)). Nothing is stored:
 * the TURN server recomputes the password from the username, so coturn with the same `static-auth-secret`
 * accepts the same credentials.
 */
export interface TurnCredentials {
  readonly username: string;
  readonly credential: string;
  readonly expiresAtS: number;
}

export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

export function issueTurnCredentials(secret: string, userId: number, nowMs: number, ttlS: number): TurnCredentials {
  const expiresAtS = Math.floor(nowMs / 1000) + ttlS;
  const username = `${expiresAtS}:${userId}`;
  return { username, credential: turnPassword(secret, username), expiresAtS };
}

/**
 * The password the TURN server expects for `username`, or undefined (refused with 401) when the username is
 * not `<expiry>:<id>` or its expiry has passed.
 */
export function expectedTurnPassword(secret: string, username: string, nowMs: number): string | undefined {
  const match = /^(\d{1,12}):([^:]{1,64})$/.exec(username);
  if (!match || Number(match[1]) * 1000 <= nowMs) {
    return undefined;
  }
  return turnPassword(secret, username);
}

/** For tests and tools: whether `credential` is the right password for a still-valid `username`. */
export function verifyTurnCredentials(secret: string, username: string, credential: string, nowMs: number): boolean {
  const expected = expectedTurnPassword(secret, username, nowMs);
  if (expected === undefined) {
    return false;
  }
  const a = Buffer.from(expected);
  const b = Buffer.from(credential);
  return a.length === b.length && timingSafeEqual(a, b);
}
