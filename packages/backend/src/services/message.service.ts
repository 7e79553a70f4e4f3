import {
  LIMITS,
  type AttachmentDto,
  type ClientMessages,
  type ClientReplies,
  type MessageDto,
  type ReactionDto,
  type ReplyToDto,
} from '@pychat/protocol';
import type { MessageEntity } from '../entities';
import { AppError } from '../errors';
import { WriteConflictError } from '../repositories/driver-errors';
import {
  AttachmentRefusedError,
  DuplicateMessageError,
  TooManyPinsError,
  TooManyReactionsError,
  type MessageRepository,
} from '../repositories/message.repository';
import type { RoomRepository } from '../repositories/room.repository';
import { requireRoomAdmin, type AccessService } from './access.service';
import type { Clock } from './clock';
import type { FileService } from './file.service';
import type { DomainEventBus } from './events';

/**
 * Resync looks this far behind the client's last `serverTime`, so a change committed by another
 * instance whose clock lags a little is not missed. Re-sending a few unchanged messages is harmless.
 */
export const SYNC_CLOCK_SKEW_MS = 5_000;

export function toMessageDto(
  message: MessageEntity,
  mentions: number[] = [],
  attachments: AttachmentDto[] = [],
  reactions: ReactionDto[] = [],
  replyTo?: ReplyToDto,
): MessageDto {
  return {
    id: message.id,
    roomId: message.roomId,
    senderId: message.senderId,
    content: message.deletedAt === null ? message.content : null,
    attachments: message.deletedAt === null ? attachments : [],
    parentId: message.parentId,
    threadCount: message.threadCount,
    mentions: message.deletedAt === null ? mentions : [],
    createdAt: message.createdAt,
    editedAt: message.editedAt,
    deleted: message.deletedAt !== null,
    reactions: message.deletedAt === null ? reactions : [],
    pinnedAt: message.pinnedAt,
    pinnedBy: message.pinnedBy,
    ...(replyTo && message.deletedAt === null ? { replyTo } : {}),
  };
}

/** Not the sender's own fresh upload: the same answer whether it is missing, someone else's or attached. */
function refusedAttachment(error: AttachmentRefusedError): AppError {
  return new AppError(
    'FILE_NOT_FOUND',
    `File ${error.fileId} does not exist, is not your upload, or is already attached to a message`,
  );
}

export class MessageService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly rooms: RoomRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    private readonly files: FileService,
  ) {}

  /**
   * A plain message (no parent, no mentions) is one statement: an INSERT that writes only if I am a member of
   * the live, non-peer-to-peer room. Anything else, or a refused insert, goes through the full checks, which
   * give the same answers as always (ROOM_NOT_FOUND, INVALID_OPERATION, …). A resend of a stored localId hits
   * uq_messages_sender_local and is answered with the stored message, so the common send never looks it up.
   */
  async send(userId: number, input: ClientMessages['message.send']): Promise<ClientReplies['message.send']> {
    const parentId = input.parentId ?? null;
    const replyToId = input.replyToId ?? null;
    if (
      parentId === null &&
      replyToId === null &&
      (input.mentions ?? []).length === 0 &&
      (input.attachments ?? []).length === 0
    ) {
      // A deadlock (MariaDB: the insert's shared locks against a room being removed) also goes the long way.
      const sent = await this.insertOrResend(userId, input, null, []).catch((error: unknown) => {
        if (error instanceof WriteConflictError) {
          return null;
        }
        throw error;
      });
      if (sent) {
        return sent;
      }
    }
    const { room } = await this.access.requireRoomMember(userId, input.roomId);
    let mentions: number[];
    try {
      if (room.p2p) {
        throw new AppError('INVALID_OPERATION', 'Messages of a peer-to-peer room never go through the server');
      }
      await this.requireThreadParent(room.id, parentId);
      await this.requireReplyTarget(room.id, replyToId);
      mentions = await this.requireMentionable(room.id, input.mentions);
    } catch (error) {
      // A resend is answered with what was stored, even if the room, the parent or a mention changed since.
      const previous = await this.resendOf(userId, input);
      if (previous) {
        return previous;
      }
      throw error;
    }
    const sent = await this.insertOrResend(userId, input, parentId, mentions);
    if (!sent) {
      // Removed from the room (or the room closed) between the check and the insert.
      throw new AppError('ROOM_NOT_FOUND', `Room ${input.roomId} does not exist or you are not a member`);
    }
    return sent;
  }

  /** Inserts and emits message.created; `null` when the insert was refused (not a member, room gone or p2p). */
  private async insertOrResend(
    userId: number,
    input: ClientMessages['message.send'],
    parentId: number | null,
    mentions: number[],
  ): Promise<ClientReplies['message.send'] | null> {
    let saved: Awaited<ReturnType<MessageRepository['insert']>>;
    const attachments = [...new Set(input.attachments ?? [])];
    try {
      saved = await this.messages.insert(
        {
          roomId: input.roomId,
          senderId: userId,
          content: input.content,
          localId: input.localId,
          parentId,
          ...(input.replyToId ? { replyToId: input.replyToId } : {}),
          createdAt: this.clock(),
        },
        mentions,
        attachments,
      );
    } catch (error) {
      if (error instanceof AttachmentRefusedError) {
        throw refusedAttachment(error);
      }
      // The insert only reaches the unique index when I am a member: this is a resend (or two copies racing).
      const previous = error instanceof DuplicateMessageError ? await this.resendOf(userId, input) : null;
      if (previous) {
        return previous;
      }
      throw error;
    }
    if (!saved) {
      return null;
    }
    const message = toMessageDto(
      saved.message,
      mentions,
      attachments.length > 0 ? (await this.files.attachmentsOf([saved.message.id])).get(saved.message.id) : [],
      [],
      saved.message.replyToId === null ? undefined : (await this.repliesTo([saved.message])).get(saved.message.id),
    );
    await this.events.emit('message.created', {
      message,
      localId: input.localId,
      parentThreadCount: saved.parentThreadCount,
    });
    return { message, duplicate: false };
  }

  /** The stored answer to a resend, fanned out again: the first reply never arrived, nor maybe its fan-out. */
  private async resendOf(
    userId: number,
    input: ClientMessages['message.send'],
  ): Promise<ClientReplies['message.send'] | null> {
    const previous = await this.findResend(userId, input);
    if (previous) {
      await this.events.emit('message.resent', { message: previous.message, localId: input.localId });
    }
    return previous;
  }

  private async requireThreadParent(roomId: number, parentId: number | null): Promise<void> {
    if (parentId === null) {
      return;
    }
    const parent = await this.access.requireMessageInRoom(roomId, parentId);
    if (parent.parentId !== null || parent.deletedAt !== null) {
      throw new AppError('INVALID_OPERATION', 'Threads are one level deep and need a live parent message');
    }
  }

  /** A reply answers a live message of its own room: another room's, even one I am in, reads as not found. */
  private async requireReplyTarget(roomId: number, replyToId: number | null): Promise<void> {
    if (replyToId === null) {
      return;
    }
    const target = await this.access.requireMessageInRoom(roomId, replyToId);
    if (target.deletedAt !== null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${replyToId} was deleted`);
    }
  }

  async edit(userId: number, input: ClientMessages['message.edit']): Promise<{ message: MessageDto }> {
    const { message, room } = await this.access.requireMessageAuthor(userId, input.messageId);
    requireServerHistory(room);
    const mentions = input.mentions === undefined ? undefined : await this.requireMentionable(room.id, input.mentions);
    const attachments = input.attachments === undefined ? undefined : [...new Set(input.attachments)];
    const edited = await this.messages
      .edit(message, input.content, mentions, attachments, this.clock())
      .catch((error: unknown) => {
        throw error instanceof AttachmentRefusedError ? refusedAttachment(error) : error;
      });
    if (edited === 'emptied') {
      throw new AppError('VALIDATION_FAILED', 'A message needs text or at least one attachment; delete it instead');
    }
    await this.files.removeStored(edited.removedKeys);
    const dto = await this.withMentions(edited.message);
    await this.events.emit('message.edited', { message: dto });
    return { message: dto };
  }

  async delete(userId: number, messageId: number): Promise<{ message: MessageDto }> {
    const { message, room } = await this.access.requireMessageAuthor(userId, messageId);
    requireServerHistory(room);
    const { message: row, removedKeys } = await this.messages.softDelete(message, this.clock());
    await this.files.removeStored(removedKeys);
    const deleted = toMessageDto(row);
    await this.events.emit('message.deleted', { message: deleted });
    return { message: deleted };
  }

  async history(userId: number, input: ClientMessages['message.history']): Promise<ClientReplies['message.history']> {
    await this.access.requireRoomMember(userId, input.roomId);
    if (input.threadId !== undefined) {
      await this.access.requireMessageInRoom(input.roomId, input.threadId);
    }
    const limit = input.limit ?? LIMITS.historyPageDefault;
    const rows = await this.messages.page(input.roomId, { beforeId: input.beforeId, threadId: input.threadId, limit });
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit).reverse();
    return { messages: await this.toDtos(page), hasMore };
  }

  async sync(userId: number, input: ClientMessages['message.sync']): Promise<ClientReplies['message.sync']> {
    const serverTime = this.clock();
    const mine = new Set(await this.rooms.roomIdsOf(userId));
    const removedRoomIds: number[] = [];
    const rooms: ClientReplies['message.sync']['rooms'] = [];
    for (const wanted of input.rooms) {
      if (!mine.has(wanted.roomId)) {
        removedRoomIds.push(wanted.roomId);
        continue;
      }
      const newer = await this.messages.newerThan(wanted.roomId, wanted.lastMessageId, LIMITS.syncMessagesPerRoom);
      const changed =
        wanted.lastMessageId > 0
          ? await this.messages.changedSince(
              wanted.roomId,
              wanted.lastMessageId,
              wanted.since - SYNC_CLOCK_SKEW_MS,
              LIMITS.syncMessagesPerRoom,
            )
          : [];
      // Too much to replay either way: the client drops what it holds of the room and pages from the top.
      const gap = newer.length > LIMITS.syncMessagesPerRoom || changed.length > LIMITS.syncMessagesPerRoom;
      const all = [
        ...changed.slice(0, LIMITS.syncMessagesPerRoom),
        ...newer.slice(0, LIMITS.syncMessagesPerRoom).reverse(),
      ];
      rooms.push({ roomId: wanted.roomId, messages: await this.toDtos(all), gap });
    }
    return { serverTime, rooms, removedRoomIds };
  }

  async search(userId: number, input: ClientMessages['message.search']): Promise<ClientReplies['message.search']> {
    if (input.roomId !== undefined) {
      await this.access.requireRoomMember(userId, input.roomId);
    }
    const scope = input.roomId === undefined ? { userId } : { roomId: input.roomId };
    const rows = await this.messages.search(scope, input.query, input.offset ?? 0, LIMITS.searchPageSize);
    return {
      messages: await this.toDtos(rows.slice(0, LIMITS.searchPageSize)),
      hasMore: rows.length > LIMITS.searchPageSize,
    };
  }

  /**
   * Adds or removes my reaction. Any member may react to any live message of the room, thread replies
   * included; a message I cannot see reads as not found. Only a real change is announced to the room.
   */
  async react(userId: number, input: ClientMessages['message.react']): Promise<ClientReplies['message.react']> {
    const { message, room } = await this.access.requireVisibleMessage(userId, input.messageId);
    requireServerHistory(room);
    if (message.deletedAt !== null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${input.messageId} was deleted`);
    }
    let changed: boolean;
    try {
      changed = await this.messages.react(
        message.id,
        userId,
        input.emoji,
        input.on,
        this.clock(),
        LIMITS.reactionsPerMessageMax,
      );
    } catch (error) {
      if (error instanceof TooManyReactionsError) {
        throw new AppError(
          'LIMIT_REACHED',
          `A message carries at most ${LIMITS.reactionsPerMessageMax} different emoji; add one of those instead`,
        );
      }
      throw error;
    }
    const reactions = (await this.messages.reactionsOf([message.id])).get(message.id) ?? [];
    if (changed) {
      await this.events.emit('message.reactions', { roomId: message.roomId, messageId: message.id, reactions });
    }
    return { messageId: message.id, reactions };
  }

  /**
   * Pins or unpins. Any member may, unless the room is `pinsAdminOnly`: then its admin, or for a channel's main
   * room the channel's admin. Only a real change is announced (`message.pinned` to the room).
   */
  async pin(userId: number, input: ClientMessages['message.pin']): Promise<ClientReplies['message.pin']> {
    const { message, room } = await this.access.requireVisibleMessage(userId, input.messageId);
    requireServerHistory(room);
    if (message.deletedAt !== null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Message ${input.messageId} was deleted`);
    }
    if (room.pinsAdminOnly) {
      const channel =
        room.kind === 'channel' && room.channelId !== null ? await this.rooms.findChannel(room.channelId) : null;
      if (channel?.adminId !== userId) {
        requireRoomAdmin(userId, room, 'pin messages in this room');
      }
    }
    let changed: boolean;
    try {
      changed = await this.messages.pin(message, userId, input.pinned, this.clock(), LIMITS.pinsPerRoomMax);
    } catch (error) {
      if (error instanceof TooManyPinsError) {
        throw new AppError(
          'LIMIT_REACHED',
          `A room holds at most ${LIMITS.pinsPerRoomMax} pinned messages; unpin one first`,
        );
      }
      throw error;
    }
    const dto = await this.withMentions((await this.messages.findById(message.id)) ?? message);
    if (changed) {
      await this.events.emit('message.pinned', { message: dto });
    }
    return { message: dto };
  }

  async pins(userId: number, input: ClientMessages['message.pins']): Promise<ClientReplies['message.pins']> {
    await this.access.requireRoomMember(userId, input.roomId);
    return { messages: await this.toDtos(await this.messages.pinned(input.roomId, LIMITS.pinsPerRoomMax)) };
  }

  /** Moves my read pointer; members see it as "seen by" and my unread count drops. */
  async markRead(userId: number, input: ClientMessages['message.read']): Promise<{ lastReadMessageId: number }> {
    const { member } = await this.access.requireRoomMember(userId, input.roomId);
    await this.access.requireMessageInRoom(input.roomId, input.messageId);
    const lastReadMessageId = await this.rooms.advanceRead(input.roomId, userId, input.messageId);
    if (lastReadMessageId > member.lastReadMessageId) {
      await this.events.emit('message.read', { roomId: input.roomId, userId, lastReadMessageId });
    }
    return { lastReadMessageId };
  }

  /**
   * "Mark as unread from here": my pointer goes back to just before the message, so it and what follows count
   * as unread again. Only backwards; the reader's other tabs and the room see it as a `message.read`.
   */
  async markUnread(userId: number, input: ClientMessages['message.unread']): Promise<{ lastReadMessageId: number }> {
    const { member } = await this.access.requireRoomMember(userId, input.roomId);
    await this.access.requireMessageInRoom(input.roomId, input.messageId);
    const lastReadMessageId = await this.rooms.retreatRead(input.roomId, userId, input.messageId - 1);
    if (lastReadMessageId < member.lastReadMessageId) {
      await this.events.emit('message.read', { roomId: input.roomId, userId, lastReadMessageId });
    }
    return { lastReadMessageId };
  }

  /** The stored answer to a resend of the same localId, so reconnect retries never duplicate. */
  private async findResend(
    userId: number,
    input: ClientMessages['message.send'],
  ): Promise<ClientReplies['message.send'] | null> {
    const previous = await this.messages.findBySenderAndLocalId(userId, input.localId);
    if (!previous) {
      return null;
    }
    if (previous.roomId !== input.roomId) {
      throw new AppError('VALIDATION_FAILED', `localId "${input.localId}" was already used in another room`);
    }
    return { message: await this.withMentions(previous), duplicate: true };
  }

  private async requireMentionable(roomId: number, mentions: number[] | undefined): Promise<number[]> {
    const wanted = [...new Set(mentions ?? [])];
    if (wanted.length === 0) {
      return [];
    }
    const members = new Set((await this.rooms.membersOf(roomId)).map((m) => m.userId));
    const outside = wanted.filter((id) => !members.has(id));
    if (outside.length > 0) {
      throw new AppError('USER_NOT_FOUND', `User ${outside[0]} is not a member of this room`);
    }
    return wanted;
  }

  private async withMentions(message: MessageEntity): Promise<MessageDto> {
    return (await this.toDtos([message]))[0];
  }

  private async toDtos(messages: MessageEntity[]): Promise<MessageDto[]> {
    const ids = messages.map((m) => m.id);
    const [mentions, attachments, reactions, replies] = await Promise.all([
      this.messages.mentionsOf(ids),
      this.files.attachmentsOf(ids),
      this.messages.reactionsOf(ids),
      this.repliesTo(messages),
    ]);
    return messages.map((m) =>
      toMessageDto(m, mentions.get(m.id), attachments.get(m.id), reactions.get(m.id), replies.get(m.id)),
    );
  }

  /** Per reply's id, the excerpt of the message it answers, as it is now (edited, or null once deleted). */
  private async repliesTo(messages: MessageEntity[]): Promise<Map<number, ReplyToDto>> {
    const targets = [...new Set(messages.flatMap((m) => (m.replyToId === null ? [] : [m.replyToId])))];
    const excerpts = await this.messages.excerptsOf(targets, LIMITS.replyExcerptMaxLength);
    const result = new Map<number, ReplyToDto>();
    for (const m of messages) {
      const target = m.replyToId === null ? undefined : excerpts.get(m.replyToId);
      if (m.replyToId !== null && target) {
        result.set(m.id, { id: m.replyToId, ...target });
      }
    }
    return result;
  }
}

/**
 * A p2p room's content goes between its devices only: the server history from before p2p was switched on stays
 * readable but is not written to (edits, deletes, reactions, pins) until p2p is switched off again.
 */
function requireServerHistory(room: { p2p: boolean }): void {
  if (room.p2p) {
    throw new AppError('INVALID_OPERATION', 'Messages of a peer-to-peer room never go through the server');
  }
}
