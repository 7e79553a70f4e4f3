import type { ErrorCode } from '@pychat/protocol';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_JSON: 400,
  BAD_FRAME: 400,
  UNKNOWN_TYPE: 400,
  VALIDATION_FAILED: 400,
  FRAME_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_PROTOCOL_VERSION: 426,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  RATE_LIMITED: 429,
  USERNAME_TAKEN: 409,
  EMAIL_TAKEN: 409,
  WRONG_PASSWORD: 403,
  INVALID_TOKEN: 400,
  IDENTITY_FAILED: 400,
  IDENTITY_EMAIL_TAKEN: 409,
  IDENTITY_IN_USE: 409,
  LAST_SIGN_IN_METHOD: 409,
  MAIL_DISABLED: 503,
  REGISTRATION_CLOSED: 403,
  ACCOUNT_DEACTIVATED: 403,
  INVITE_REQUIRED: 403,
  INVITE_INVALID: 403,
  INVITE_EXPIRED: 410,
  INVITE_USED_UP: 410,
  CAPTCHA_REQUIRED: 400,
  CAPTCHA_FAILED: 400,
  NOT_SITE_ADMIN: 403,
  INVITE_NOT_FOUND: 404,
  LAST_ADMIN: 409,
  ROOM_NOT_FOUND: 404,
  CHANNEL_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  NOT_MESSAGE_AUTHOR: 403,
  NOT_ROOM_ADMIN: 403,
  NOT_CHANNEL_ADMIN: 403,
  NOT_CHANNEL_MEMBER: 403,
  FORBIDDEN: 403,
  ROOM_EXISTS: 409,
  ALREADY_MEMBER: 409,
  CANNOT_LEAVE_ALL: 409,
  CHANNEL_HAS_ROOMS: 409,
  INVALID_OPERATION: 409,
  LIMIT_REACHED: 409,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  GIFS_DISABLED: 404,
  GIF_PROVIDER_FAILED: 502,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** An expected failure with a stable code: becomes `{ code, message }` over HTTP and an error frame over ws. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** RATE_LIMITED: how long to wait; sent as `retryAfterMs` (and `Retry-After` over HTTP). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return STATUS[this.code] ?? 400;
  }
}

/** RATE_LIMITED with how long the client should wait (`retryAfterMs` in the error body). */
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterMs: number) {
    super('RATE_LIMITED', message, undefined, retryAfterMs);
  }
}

/** Error codes of a database (or network) that cannot be reached right now. */
const UNAVAILABLE_CODES = new Set([
  // network: refused, reset mid-query (server killed), broken pipe, unreachable, name lookup
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2: connection closed, or a command on a connection that already failed
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  // MariaDB/MySQL: too many connections, shutting down, connection killed
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'SQLITE_BUSY',
]);

/**
 * True for errors that mean the database cannot be reached right now (worth a 503, not a 500).
 * mysql2 marks every error that broke its connection `fatal` (some, like "Can't add new command when
 * connection is in closed state", have no code); TypeORM's QueryFailedError copies both fields.
 */
export function isUnavailableError(error: unknown): boolean {
  const e = error as { code?: unknown; fatal?: unknown } | null;
  return (typeof e?.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || e?.fatal === true;
}
