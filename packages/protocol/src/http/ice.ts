import { z } from 'zod';

/** One entry of RTCConfiguration.iceServers; `username`/`credential` only for TURN. */
export const IceServer = z.strictObject({
  urls: z.array(z.string().min(1)).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/**
 * GET /api/ice-servers: STUN/TURN servers with fresh TURN REST credentials (username `<expiry unix s>:<userId>`,
 * credential base64 HMAC-SHA1 of the username with the shared secret). `ttlS`: how long the credentials work;
 * fetch again before starting a call after that. Empty `iceServers`: no TURN configured (host candidates only).
 */
export const IceServersResponse = z.strictObject({
  iceServers: z.array(IceServer),
  ttlS: z.number().int().positive(),
});
export type IceServersResponse = z.infer<typeof IceServersResponse>;
