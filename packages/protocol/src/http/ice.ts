import { z } from 'zod';

/** One entry of RTCConfiguration.iceServers; `username`/`credential` only for TURN. */
export const IceServer = z.strictObject({
  urls: z.array(z.string().min(1)).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** A Chromium extension id: 32 letters a-p. */
export const ExtensionId = z.string().regex(/^[a-p]{32}$/);

/**
 * GET /api/ice-servers: what a call needs from the server, fetched before each call. STUN/TURN servers with fresh
 * TURN REST credentials (username `<expiry unix s>:<userId>`, credential base64 HMAC-SHA1 of the username with the
 * shared secret). `ttlS`: how long the credentials work; fetch again before starting a call after that. Empty
 * `iceServers`: no TURN configured (host candidates only). `screenCastExtensionId`: the Pychat screen-sharing
 * extension this install offers (PYCHAT_SCREEN_CAST_EXTENSION_ID), absent when none.
 */
export const IceServersResponse = z.strictObject({
  iceServers: z.array(IceServer),
  ttlS: z.number().int().positive(),
  screenCastExtensionId: ExtensionId.optional(),
});
export type IceServersResponse = z.infer<typeof IceServersResponse>;
