import { z } from 'zod';
import { MessageId, RoomId, UserId } from '../model/ids';

/** Longest push endpoint URL accepted (the big push services use 150-400 characters). */
export const PUSH_ENDPOINT_MAX_LENGTH = 1024;

/** `bytes` bytes in base64url, as `PushSubscription.toJSON().keys` gives them (padding tolerated). */
const Base64Url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'expected base64url')
    .min(Math.ceil((bytes * 4) / 3))
    .max(Math.ceil(bytes / 3) * 4);

/** GET /api/push/key: the VAPID public key for `pushManager.subscribe`; null when push is off on this server. */
export const PushKeyResponse = z.strictObject({ publicKey: z.string().nullable() });
export type PushKeyResponse = z.infer<typeof PushKeyResponse>;

/**
 * POST /api/push/subscriptions: this browser's Web Push subscription, tied to the session making the request
 * (signing out deletes it). `keys` as `PushSubscription.toJSON()` gives them: `p256dh` the browser's P-256
 * public key (65 bytes, uncompressed), `auth` its 16-byte secret. `preview: false`: the pushes to this device
 * carry ids only, no names or text.
 */
export const PushSubscribeBody = z.strictObject({
  endpoint: z.url().max(PUSH_ENDPOINT_MAX_LENGTH),
  keys: z.strictObject({ p256dh: Base64Url(65), auth: Base64Url(16) }),
  preview: z.boolean().default(true),
});
export type PushSubscribeBody = z.input<typeof PushSubscribeBody>;

/** DELETE /api/push/subscriptions: forget one of my subscriptions (NOT_FOUND when it is not mine). */
export const PushUnsubscribeBody = z.strictObject({ endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX_LENGTH) });
export type PushUnsubscribeBody = z.infer<typeof PushUnsubscribeBody>;

/**
 * What a push carries once the browser has decrypted it (JSON, RFC 8291 aes128gcm end to end). Names and
 * `text` (the first PUSH_PREVIEW_MAX_LENGTH characters) only when the subscription has `preview` on.
 * `roomName` null: a direct room (the service worker titles it by the sender).
 */
export const PushPayload = z.discriminatedUnion('type', [
  z.strictObject({
    v: z.literal(1),
    type: z.literal('message'),
    roomId: RoomId,
    messageId: MessageId,
    senderId: UserId,
    roomName: z.string().nullable().optional(),
    senderName: z.string().optional(),
    text: z.string().optional(),
    mentioned: z.boolean(),
  }),
  z.strictObject({
    v: z.literal(1),
    type: z.literal('call'),
    roomId: RoomId,
    senderId: UserId,
    roomName: z.string().nullable().optional(),
    senderName: z.string().optional(),
  }),
]);
export type PushPayload = z.infer<typeof PushPayload>;

export const PUSH_PREVIEW_MAX_LENGTH = 140;
