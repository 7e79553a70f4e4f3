import { z } from 'zod';
import { AttachmentDto } from './attachment';
import { ChannelId, Id, MessageId, Millis, RoomId, UserId } from './ids';

export const Sex = z.enum(['secret', 'male', 'female']);
export type Sex = z.infer<typeof Sex>;

/** What every user may know about every other user of the server. */
/** Away or do-not-disturb (no sounds, notifications or pushes on any of the user's devices). */
export const UserStatus = z.enum(['away', 'dnd']);
export type UserStatus = z.infer<typeof UserStatus>;

export const UserDto = z.strictObject({
  id: UserId,
  username: z.string(),
  sex: Sex,
  thumbnail: z.string().nullable(),
  /** When the user's last connection closed; null while online or never seen. */
  lastSeenAt: Millis.nullable(),
  /** Set by `status.set`; absent while available (most users: the directory stays small). */
  status: UserStatus.optional(),
  /** Free text shown beside the name ("in a meeting"); absent when none. */
  statusText: z.string().optional(),
});
export type UserDto = z.infer<typeof UserDto>;

export const ChannelDto = z.strictObject({
  id: ChannelId,
  name: z.string(),
  adminId: UserId.nullable(),
  mainRoomId: RoomId,
  /** Listed in `channel.directory` and joinable by anyone; else invite-only (pychat's behaviour). */
  isPublic: z.boolean(),
  topic: z.string(),
});
export type ChannelDto = z.infer<typeof ChannelDto>;

/** One public channel in `channel.directory`. */
export const DirectoryChannelDto = z.strictObject({
  id: ChannelId,
  name: z.string(),
  topic: z.string(),
  memberCount: z.number().int().nonnegative(),
  /** Whether the caller is a member. */
  joined: z.boolean(),
});
export type DirectoryChannelDto = z.infer<typeof DirectoryChannelDto>;

/** One named room of a channel, listed to the channel's members by `channel.rooms`. */
export const ChannelRoomDto = z.strictObject({
  id: RoomId,
  name: z.string(),
  memberCount: z.number().int().nonnegative(),
  joined: z.boolean(),
});
export type ChannelRoomDto = z.infer<typeof ChannelRoomDto>;

export const RoomKind = z.enum(['channel', 'room', 'direct']);
export type RoomKind = z.infer<typeof RoomKind>;

/** One reader of a room: pychat kept one status per message, we keep a read pointer per member. */
export const RoomMemberDto = z.strictObject({
  userId: UserId,
  /** Highest message id this member has read in the room (0: none). */
  lastReadMessageId: z.number().int().nonnegative(),
});
export type RoomMemberDto = z.infer<typeof RoomMemberDto>;

/** The part of a room that is the same for every member (so one frame serves them all). */
export const RoomDto = z.strictObject({
  id: RoomId,
  /** `channel`: main room of a channel; `room`: named room in a channel; `direct`: two users. */
  kind: RoomKind,
  name: z.string().nullable(),
  channelId: ChannelId.nullable(),
  adminId: UserId.nullable(),
  p2p: z.boolean(),
  /** Only the room's admin (or the channel's admin, for its main room) may pin and unpin; else any member. */
  pinsAdminOnly: z.boolean(),
  memberCount: z.number().int().nonnegative(),
  /** null when the room has more than LIMITS.roomMembersInlineMax members: load them with `room.members`. */
  members: z.array(RoomMemberDto).nullable(),
});
export type RoomDto = z.infer<typeof RoomDto>;

/** The part of a room that belongs to one member. */
export const RoomStateDto = z.strictObject({
  roomId: RoomId,
  volume: z.number().int().min(0).max(100),
  notifications: z.boolean(),
  /** At most LIMITS.unreadCountMax when it comes from the server. */
  unread: z.number().int().nonnegative(),
  lastMessageId: z.number().int().nonnegative(),
});
export type RoomStateDto = z.infer<typeof RoomStateDto>;

/** One emoji on a message and who added it, oldest first. */
export const ReactionDto = z.strictObject({
  emoji: z.string(),
  userIds: z.array(UserId),
});
export type ReactionDto = z.infer<typeof ReactionDto>;

/** The message a reply answers, as shown above the reply. */
export const ReplyToDto = z.strictObject({
  id: MessageId,
  senderId: UserId,
  /** The start of its text (at most LIMITS.replyExcerptMaxLength); '' for attachments only; null when deleted. */
  excerpt: z.string().nullable(),
});
export type ReplyToDto = z.infer<typeof ReplyToDto>;

export const MessageDto = z.strictObject({
  id: MessageId,
  roomId: RoomId,
  senderId: UserId,
  /**
   * null once deleted: deletion wipes the text but keeps the row, its thread and its place. May be '' when
   * the message is attachments only.
   */
  content: z.string().nullable(),
  /** Files attached to the message, in the order they were given; empty once deleted (the files are removed). */
  attachments: z.array(AttachmentDto),
  parentId: MessageId.nullable(),
  threadCount: z.number().int().nonnegative(),
  mentions: z.array(UserId),
  createdAt: Millis,
  editedAt: Millis.nullable(),
  deleted: z.boolean(),
  /** Emoji reactions in the order they were first added; empty once deleted. */
  reactions: z.array(ReactionDto),
  /** When and by whom the message was pinned to its room; null when not pinned (deleting unpins). */
  pinnedAt: Millis.nullable(),
  pinnedBy: UserId.nullable(),
  /**
   * Present on a reply (`message.send` with `replyToId`): the answered message of the same room, as an excerpt
   * of its current text; `excerpt` is null once it is deleted.
   */
  replyTo: ReplyToDto.optional(),
});
export type MessageDto = z.infer<typeof MessageDto>;

export const UserSettingsDto = z.strictObject({
  showWhenITyping: z.boolean(),
  embeddedYoutube: z.boolean(),
  highlightCode: z.boolean(),
  messageSound: z.boolean(),
  incomingFileCallSound: z.boolean(),
  onlineChangeSound: z.boolean(),
  logs: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'disable']),
  theme: z.enum(['dark', 'light']),
});
export type UserSettingsDto = z.infer<typeof UserSettingsDto>;

export const ProfileDto = z.strictObject({
  userId: UserId,
  username: z.string(),
  email: z.string().nullable(),
  /** Whether the email was proven by a mailed link (false for others' profiles). */
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  surname: z.string().nullable(),
  city: z.string().nullable(),
  birthday: z.string().nullable(),
  contacts: z.string().nullable(),
  sex: Sex,
});
export type ProfileDto = z.infer<typeof ProfileDto>;

export const ErrorBody = z.strictObject({
  code: z.string(),
  message: z.string(),
  /** Field-level problems for VALIDATION_FAILED. */
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  /** RATE_LIMITED: wait at least this long before sending the same kind of request again (HTTP also sends Retry-After in seconds). */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Empty = z.strictObject({});
export type Empty = z.infer<typeof Empty>;

export { Id };
