import { z } from 'zod';
import { FileId } from '../model/attachment';
import { MessageDto, ReactionDto } from '../model/dto';
import { MessageId, Millis, RoomId, UserId } from '../model/ids';
import { LIMITS } from '../model/limits';
import { Emoji, FreeText } from '../model/text';
import { request } from './define';

/** Text of a message that has attachments: may be empty. */
const OptionalContent = FreeText.max(LIMITS.messageMaxLength);
const Attachments = z.array(FileId).max(LIMITS.attachmentsMax);
const hasBody = (m: { content: string; attachments?: number[] }) =>
  m.content.length > 0 || (m.attachments ?? []).length > 0;
const EMPTY = { message: 'A message needs text or at least one attachment', path: ['content'] };

export const messageRequests = {
  /**
   * Send a message. `localId` is chosen by the client and unique per sender: sending the same localId
   * twice (a resend after a reconnect) returns the stored message with `duplicate: true`.
   * Answered only after the row is committed.
   */
  'message.send': request(
    z
      .strictObject({
        roomId: RoomId,
        content: OptionalContent,
        localId: FreeText.min(1).max(LIMITS.localIdMaxLength),
        parentId: MessageId.nullable().optional(),
        /**
         * Reply inline to this message: a live message of the same room (a thread reply may answer any message of
         * its room). Anything else fails with MESSAGE_NOT_FOUND.
         */
        replyToId: MessageId.nullable().optional(),
        mentions: z.array(UserId).max(LIMITS.mentionsMax).optional(),
        /**
         * Ids from POST /api/files. Each must be the sender's own upload, not attached yet: anything else fails
         * the whole send with FILE_NOT_FOUND. A resend of the same localId is answered with the stored message.
         */
        attachments: Attachments.optional(),
      })
      .refine(hasBody, EMPTY),
    z.strictObject({ message: MessageDto, duplicate: z.boolean() }),
  ),
  /** Edit my own message; the old text goes to the edit history. */
  'message.edit': request(
    z
      .strictObject({
        messageId: MessageId,
        content: OptionalContent,
        mentions: z.array(UserId).max(LIMITS.mentionsMax).optional(),
        /**
         * The attachments the message keeps after the edit: ids it has now (kept) and fresh uploads of mine
         * (added). Those it had and are not listed are removed with their files. Omitted: unchanged.
         */
        attachments: Attachments.optional(),
      })
      .refine((m) => m.content.length > 0 || m.attachments === undefined || m.attachments.length > 0, EMPTY),
    z.strictObject({ message: MessageDto }),
  ),
  /** Soft-delete my own message: content wiped, row, thread and history kept. */
  'message.delete': request(z.strictObject({ messageId: MessageId }), z.strictObject({ message: MessageDto })),
  /**
   * One page of history, oldest first in the answer. Without `beforeId`: the newest page.
   * With `threadId`: replies of that thread instead of top-level messages.
   */
  'message.history': request(
    z.strictObject({
      roomId: RoomId,
      beforeId: MessageId.optional(),
      threadId: MessageId.optional(),
      limit: z.number().int().min(1).max(LIMITS.historyPageMax).optional(),
    }),
    z.strictObject({ messages: z.array(MessageDto), hasMore: z.boolean() }),
  ),
  /**
   * Resync after a reconnect: per room, what changed since the client's last state.
   * `lastMessageId`: highest id the client holds; `since`: `serverTime` of the client's previous sync.
   * Answers the messages edited or deleted since `since` and the new ones (each part at most
   * LIMITS.syncMessagesPerRoom). `gap`: more changed than that; drop the room's local copy and reload it
   * with message.history.
   */
  'message.sync': request(
    z.strictObject({
      rooms: z
        .array(z.strictObject({ roomId: RoomId, lastMessageId: z.number().int().nonnegative(), since: Millis }))
        .max(LIMITS.syncRoomsMax),
    }),
    z.strictObject({
      serverTime: Millis,
      rooms: z.array(z.strictObject({ roomId: RoomId, messages: z.array(MessageDto), gap: z.boolean() })),
      /** Rooms in the request the user no longer belongs to. */
      removedRoomIds: z.array(RoomId),
    }),
  ),
  /**
   * Case-insensitive text search, newest first: in one room, or without `roomId` in every room I am a member
   * of (each hit's `roomId` says where).
   */
  'message.search': request(
    z.strictObject({
      roomId: RoomId.optional(),
      query: FreeText.min(1).max(LIMITS.searchQueryMaxLength),
      offset: z.number().int().nonnegative().max(100_000).optional(),
    }),
    z.strictObject({ messages: z.array(MessageDto), hasMore: z.boolean() }),
  ),
  /**
   * Add (`on: true`) or remove my reaction to a message of a room I am in. Idempotent: adding twice or
   * removing what is not there changes nothing and notifies nobody. Answers the message's reactions.
   */
  'message.react': request(
    z.strictObject({ messageId: MessageId, emoji: Emoji, on: z.boolean() }),
    z.strictObject({ messageId: MessageId, reactions: z.array(ReactionDto) }),
  ),
  /**
   * Pin (`pinned: true`) or unpin a live message of a room I am in; idempotent like message.react. In a room
   * with `pinsAdminOnly`, only its admin may. Answers the message with its new pin state.
   */
  'message.pin': request(
    z.strictObject({ messageId: MessageId, pinned: z.boolean() }),
    z.strictObject({ message: MessageDto }),
  ),
  /** A room's pinned messages, most recently pinned first (at most LIMITS.pinsPerRoomMax). */
  'message.pins': request(z.strictObject({ roomId: RoomId }), z.strictObject({ messages: z.array(MessageDto) })),
  /** Move my read pointer in a room forward (never back). */
  'message.read': request(
    z.strictObject({ roomId: RoomId, messageId: MessageId }),
    z.strictObject({ lastReadMessageId: z.number().int().nonnegative() }),
  ),
  /**
   * "Mark as unread from here": move my read pointer back to just before this message (never forward; a
   * pointer already before it stays). Announced like message.read.
   */
  'message.unread': request(
    z.strictObject({ roomId: RoomId, messageId: MessageId }),
    z.strictObject({ lastReadMessageId: z.number().int().nonnegative() }),
  ),
};

export const messageEvents = {
  /** A new message in a room; `localId` is set so the sender's tabs can swap their pending copy. */
  'message.new': z.strictObject({
    message: MessageDto,
    localId: z.string().optional(),
    /** For a thread reply: the parent's new reply count. */
    parentThreadCount: z.number().int().nonnegative().optional(),
  }),
  'message.edited': z.strictObject({ message: MessageDto }),
  'message.deleted': z.strictObject({ message: MessageDto }),
  /** A message's reactions changed: the complete new list, so a missed frame never leaves a count wrong. */
  'message.reactions': z.strictObject({ roomId: RoomId, messageId: MessageId, reactions: z.array(ReactionDto) }),
  /** A message was pinned or unpinned: the message with its new `pinnedAt` / `pinnedBy`. */
  'message.pinned': z.strictObject({ message: MessageDto }),
  /** A member's read pointer moved: drives "seen by" and unread counts. */
  'message.read': z.strictObject({ roomId: RoomId, userId: UserId, lastReadMessageId: z.number().int().nonnegative() }),
};
