/**
 * Stable error codes sent in `error` frames and HTTP error bodies (`{ code, message }`).
 * Listed and explained in docs/protocol.md; a code never changes meaning.
 */
export const ERROR_CODES = [
  // envelope and validation
  'BAD_JSON',
  'BAD_FRAME',
  'UNKNOWN_TYPE',
  'VALIDATION_FAILED',
  'FRAME_TOO_LARGE',
  /** HTTP body in a charset or Content-Encoding the server does not read (HTTP 415). */
  'UNSUPPORTED_MEDIA_TYPE',
  /** The client speaks another protocol version (HTTP 426 before the upgrade). */
  'UNSUPPORTED_PROTOCOL_VERSION',
  // authentication
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'USERNAME_TAKEN',
  'EMAIL_TAKEN',
  /** Change of password or email: the current password given is wrong (the session stays). */
  'WRONG_PASSWORD',
  /** A mailed link (password reset, email verification) that is unknown, used already or expired. */
  'INVALID_TOKEN',
  /** An email flow on a server without SMTP (PYCHAT_SMTP_URL unset); `GET /api/auth/session` tells clients. */
  'MAIL_DISABLED',
  /** Sign-up on a server with PYCHAT_REGISTRATION=closed: accounts come from the operator (`pychat create-user`). */
  'REGISTRATION_CLOSED',
  /** Sign-in with the identity provider failed: state, nonce or code did not check out, or the provider refused. */
  'IDENTITY_FAILED',
  /** First sign-in with a provider whose email belongs to an account it is not linked to: sign in, then link. */
  'IDENTITY_EMAIL_TAKEN',
  /** Linking a provider identity that is already linked to another account. */
  'IDENTITY_IN_USE',
  /** Sign-in (password or provider) to an account a site admin deactivated (HTTP 403). */
  'ACCOUNT_DEACTIVATED',
  /** PYCHAT_REGISTRATION=invite and the sign-up carries no invite token (HTTP 403). */
  'INVITE_REQUIRED',
  /** The invite token matches no invite link, or its link was revoked (HTTP 403). */
  'INVITE_INVALID',
  /** The invite link is past its expiry (HTTP 410). */
  'INVITE_EXPIRED',
  /** The invite link was used as many times as it allows (HTTP 410). */
  'INVITE_USED_UP',
  /** The form needs a captcha (`features.captcha`) and none was sent: show the widget and send again (HTTP 400). */
  'CAPTCHA_REQUIRED',
  /** The captcha response did not verify (wrong, expired or used before); solve a new one (HTTP 400). */
  'CAPTCHA_FAILED',
  /** Unlinking the account's last way to sign in (no password and no other linked identity). */
  'LAST_SIGN_IN_METHOD',
  // access: a room, message or user the caller may not see reads as not found, so ids leak nothing
  'ROOM_NOT_FOUND',
  'CHANNEL_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  'USER_NOT_FOUND',
  /** A call id that does not exist, has ended, or is of a room the caller is not in (the same answer). */
  'CALL_NOT_FOUND',
  /** rtc.*: the addressed connection is not a device in this call (nothing was forwarded). */
  'CALL_PEER_NOT_FOUND',
  /** A transfer id that does not exist, has ended, or is not the caller's to see or signal in (the same answer). */
  'TRANSFER_NOT_FOUND',
  /** transfer.signal / transfer.cancel: the addressed connection is not the other end of this transfer. */
  'TRANSFER_PEER_NOT_FOUND',
  /** p2p.signal: the addressed connection is not a device present in this p2p room (nothing was forwarded). */
  'P2P_PEER_NOT_FOUND',
  'NOT_MESSAGE_AUTHOR',
  'NOT_ROOM_ADMIN',
  'NOT_CHANNEL_ADMIN',
  'NOT_CHANNEL_MEMBER',
  /** /api/admin/* by a signed-in user who is not a site admin (HTTP 403; signed out: 401 UNAUTHENTICATED). */
  'NOT_SITE_ADMIN',
  /** An invite id under /api/admin/invites that does not exist (HTTP 404). */
  'INVITE_NOT_FOUND',
  /** Taking admin from, or deactivating, yourself: the site would lose its last admin, or you your access (HTTP 409). */
  'LAST_ADMIN',
  'FORBIDDEN',
  // rule violations
  'ROOM_EXISTS',
  'ALREADY_MEMBER',
  'CANNOT_LEAVE_ALL',
  'CHANNEL_HAS_ROOMS',
  'INVALID_OPERATION',
  /** A per-user cap (channels or rooms one user administers) is reached; delete one first. */
  'LIMIT_REACHED',
  /**
   * An upload id that does not exist, is someone else's, or is already attached to a message (the same
   * answer for all three); also a file the caller may not fetch (HTTP 404).
   */
  'FILE_NOT_FOUND',
  /** The upload is larger than PYCHAT_UPLOAD_MAX_MB (HTTP 413); nothing was stored. */
  'FILE_TOO_LARGE',
  /** The upload would take the user's files past PYCHAT_UPLOAD_QUOTA_MB (HTTP 413); nothing was stored. */
  'QUOTA_EXCEEDED',
  /** /api/gifs on a server without PYCHAT_GIPHY_API_KEY (`features.gifs` is false); HTTP 404. */
  'GIFS_DISABLED',
  /** The GIF provider (Giphy) did not answer, or answered with an error; HTTP 502. Nothing was stored. */
  'GIF_PROVIDER_FAILED',
  /** Unknown HTTP endpoint. */
  'NOT_FOUND',
  // server side
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes used by the server (1000-1015 are RFC 6455, 4xxx are Pychat's). */
export const CLOSE_CODES = {
  /** Server shutting down or restarting: reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Frame above the hard limit (ws maxPayload); frames above the soft limit only get FRAME_TOO_LARGE. */
  MESSAGE_TOO_BIG: 1009,
  /** Session signed out or revoked: do not reconnect, sign in again. */
  SESSION_ENDED: 4001,
  /** Nothing received within the idle timeout (client must ping). */
  IDLE_TIMEOUT: 4008,
  /**
   * The client sent frames faster than the server answers them (too many waiting on one socket), or did not
   * read what the server sent (its send buffer passed the limit): reconnect with backoff and resync.
   */
  BACKPRESSURE: 4009,
} as const;
