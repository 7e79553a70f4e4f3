import {
  In,
  LessThanOrEqual,
  MoreThan,
  MoreThanOrEqual,
  type DataSource,
  type QueryRunner,
  type Repository,
  type SelectQueryBuilder,
} from 'typeorm';
import { dialectOf, outsideTransactions } from '../db/data-source';
import { isDeadlock, isUniqueViolation, WriteConflictError } from './driver-errors';
import { MentionEntity, MessageEditEntity, MessageEntity } from '../entities';

export interface NewMessage {
  roomId: number;
  senderId: number;
  content: string;
  localId: string;
  parentId: number | null;
  /** The message of the same room this one replies to inline (checked by the caller). */
  replyToId?: number | null;
  createdAt: number;
}

/*
 * The statements of the per-message path are plain SQL with `?` placeholders and constant text: TypeORM's
 * query builder on SQLite inlines numeric parameters into the text (typeorm#10810), so every statement was
 * prepared anew and better-sqlite3's statement cache never hit. Written once for both dialects.
 */

const MESSAGE_COLUMNS =
  'm.id, m.room_id, m.sender_id, m.content, m.local_id, m.parent_id, m.thread_count, m.symbol, m.created_at, ' +
  'm.updated_at, m.edited_at, m.deleted_at, m.pinned_at, m.pinned_by, m.reply_to_id';

/**
 * One statement: the row is written only if the sender is a member of the room, the room is live and it
 * stores messages (not peer to peer). The membership check and the write cannot be separated by a removal.
 */
const INSERT_IF_MEMBER =
  'INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, ' +
  'updated_at, edited_at, deleted_at, reply_to_id) ' +
  'SELECT rm.room_id, rm.user_id, ?, ?, ?, 0, NULL, ?, ?, NULL, NULL, ? ' +
  'FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id ' +
  'WHERE rm.room_id = ? AND rm.user_id = ? AND r.deleted_at IS NULL AND r.p2p = 0';

const BY_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?`;
const BY_SENDER_AND_LOCAL_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender_id = ? AND m.local_id = ?`;

/**
 * History pages. MariaDB 10.11 plans the top-level page as an index-merge intersection of
 * ix_messages_parent_id and ix_messages_room_parent_id plus a filesort (1.6 s for the newest page of a
 * 1,000,000-message room). USE INDEX is not enough: it then takes `ref` on (room_id, parent_id) and filters
 * `id < ?` row by row (0.6 s for the middle page); FORCE INDEX gets the range seek on all three columns.
 * SQLite picks that range alone.
 */
function pageSql(dialect: 'sqlite' | 'mysql', thread: boolean, before: boolean): string {
  return (
    `SELECT ${MESSAGE_COLUMNS} FROM messages m` +
    (dialect === 'mysql' ? ' FORCE INDEX (ix_messages_room_parent_id)' : '') +
    ` WHERE m.room_id = ? AND ${thread ? 'm.parent_id = ?' : 'm.parent_id IS NULL'}` +
    (before ? ' AND m.id < ?' : '') +
    ' ORDER BY m.id DESC LIMIT ?'
  );
}

interface MessageRow {
  id: number | string;
  room_id: number | string;
  sender_id: number | string;
  content: string | null;
  local_id: string | null;
  parent_id: number | string | null;
  thread_count: number | string;
  symbol: string | null;
  created_at: number | string;
  updated_at: number | string;
  edited_at: number | string | null;
  deleted_at: number | string | null;
  pinned_at: number | string | null;
  pinned_by: number | string | null;
  reply_to_id: number | string | null;
}

/** mysql2 may return BIGINT as a string; SQLite returns numbers. */
function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function toMessageEntity(row: MessageRow): MessageEntity {
  return {
    id: Number(row.id),
    roomId: Number(row.room_id),
    senderId: Number(row.sender_id),
    content: row.content,
    localId: row.local_id,
    parentId: numberOrNull(row.parent_id),
    threadCount: Number(row.thread_count),
    symbol: row.symbol,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    editedAt: numberOrNull(row.edited_at),
    deletedAt: numberOrNull(row.deleted_at),
    pinnedAt: numberOrNull(row.pinned_at),
    pinnedBy: numberOrNull(row.pinned_by),
    replyToId: numberOrNull(row.reply_to_id),
  };
}

/** A write through a query runner: rows changed and the new auto-increment id, in either dialect. */
async function execute(
  runner: QueryRunner,
  sql: string,
  parameters: unknown[],
): Promise<{ affected: number; insertId: number }> {
  const result = await runner.query(sql, parameters, true);
  const raw = result.raw as number | bigint | { insertId?: number | string } | undefined;
  const insertId = typeof raw === 'object' && raw !== null ? Number(raw.insertId ?? 0) : Number(raw ?? 0);
  return { affected: result.affected ?? 0, insertId };
}

/**
 * Plain sends that reach the server in the same event-loop turn (the sockets read in one poll phase) are written
 * in one transaction: SQLite then appends to its WAL and commits once instead of once per message, MariaDB makes
 * one commit (one log flush). The batch starts on `setImmediate`, right after that turn, so no send waits for a
 * timer; this caps how many rows share one transaction (a longer queue is split, in order).
 */
export const INSERT_BATCH_MAX = 100;

/** A plain insert waiting for its batch; settled with its own outcome. */
interface QueuedInsert {
  parameters: unknown[];
  resolve: (result: { affected: number; insertId: number }) => void;
  reject: (error: unknown) => void;
}

/** Rolls back a transaction whose guarded insert was refused (the parent's count is already raised). */
class NotInserted extends Error {}

/** Rolls back an edit that would leave neither text nor an attachment. */
class EmptiedMessage extends Error {}

/**
 * An attachment id that is not a fresh upload of the sender (missing, someone else's, or already on a message):
 * the transaction rolled back, nothing was written.
 */
export class AttachmentRefusedError extends Error {
  constructor(readonly fileId: number) {
    super(`upload ${fileId} cannot be attached`);
    this.name = 'AttachmentRefusedError';
  }
}

/** Attaches one upload, only if it is the uploader's and attached to nothing yet: "once, by its uploader". */
const ATTACH_FILE =
  'UPDATE uploaded_files SET message_id = ?, position = ? WHERE id = ? AND uploader_id = ? AND message_id IS NULL';

/**
 * Attaches `fileIds` in order to `messageId` inside the caller's transaction; throws AttachmentRefusedError
 * (rolling it back) when one is not `uploaderId`'s own unattached upload. Ids already on this message
 * (`keep`) only get their new position.
 */
async function attachFiles(
  runner: QueryRunner,
  messageId: number,
  uploaderId: number,
  fileIds: number[],
  keep: ReadonlySet<number> = new Set(),
): Promise<void> {
  for (const [position, fileId] of fileIds.entries()) {
    const result = keep.has(fileId)
      ? await execute(runner, 'UPDATE uploaded_files SET position = ? WHERE id = ? AND message_id = ?', [
          position,
          fileId,
          messageId,
        ])
      : await execute(runner, ATTACH_FILE, [messageId, position, fileId, uploaderId]);
    if (result.affected !== 1) {
      throw new AttachmentRefusedError(fileId);
    }
  }
}

/** Deletes the rows of these files (inside the caller's transaction); their stored files are the caller's to remove. */
async function detachFiles(runner: QueryRunner, fileIds: number[]): Promise<void> {
  if (fileIds.length > 0) {
    await runner.query(`DELETE FROM uploaded_files WHERE id IN (${fileIds.map(() => '?').join(', ')})`, fileIds);
  }
}

async function filesOf(runner: QueryRunner, messageId: number): Promise<{ id: number; storageKey: string }[]> {
  const rows = (await runner.query('SELECT id, storage_key FROM uploaded_files WHERE message_id = ?', [messageId])) as {
    id: number | string;
    storage_key: string;
  }[];
  return rows.map((row) => ({ id: Number(row.id), storageKey: row.storage_key }));
}

/**
 * An insert refused by a unique index of `messages`: in practice uq_messages_sender_local, a resend of the same
 * (sender, localId) or two copies racing. The caller looks the stored one up; the driver error is the cause.
 */
export class DuplicateMessageError extends Error {
  constructor(cause: unknown) {
    super('a message with this sender and localId exists', { cause });
    this.name = 'DuplicateMessageError';
  }
}

/** An emoji as its code points in lower-case hex, `-` between them: the key stored in message_reactions.emoji. */
export function emojiKey(emoji: string): string {
  return [...emoji].map((c) => (c.codePointAt(0) ?? 0).toString(16)).join('-');
}

export function emojiFromKey(key: string): string {
  return String.fromCodePoint(...key.split('-').map((hex) => parseInt(hex, 16)));
}

/** A pin refused because the room already holds LIMITS.pinsPerRoomMax pinned messages. */
export class TooManyPinsError extends Error {}

/** A reaction refused because the message already carries LIMITS.reactionsPerMessageMax different emoji. */
export class TooManyReactionsError extends Error {}

export class MessageRepository {
  readonly #messages: Repository<MessageEntity>;
  readonly #dialect: 'sqlite' | 'mysql';
  #queued: QueuedInsert[] = [];

  constructor(private readonly dataSource: DataSource) {
    this.#messages = dataSource.getRepository(MessageEntity);
    this.#dialect = dialectOf(dataSource);
  }

  /**
   * Inserts the message if its sender is a member of its live, non-peer-to-peer room; `null` when not (nothing
   * written). A plain message is one INSERT, atomic alone; with mentions or a parent, the message, its mentions
   * and the parent's reply count go in one transaction. Returns the parent's new reply count for thread replies.
   * A repeated (senderId, localId) fails with DuplicateMessageError (uq_messages_sender_local); a deadlock
   * (MariaDB) with WriteConflictError.
   */
  async insert(
    message: NewMessage,
    mentions: number[],
    attachments: number[] = [],
  ): Promise<{ message: MessageEntity; parentThreadCount?: number } | null> {
    try {
      return await this.#insert(message, mentions, attachments);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateMessageError(error);
      }
      if (isDeadlock(error)) {
        throw new WriteConflictError(error);
      }
      throw error;
    }
  }

  async #insert(
    message: NewMessage,
    mentions: number[],
    attachments: number[],
  ): Promise<{ message: MessageEntity; parentThreadCount?: number } | null> {
    const parameters = [
      message.content,
      message.localId,
      message.parentId,
      message.createdAt,
      message.createdAt,
      message.replyToId ?? null,
      message.roomId,
      message.senderId,
    ];
    const stored = (id: number): MessageEntity => ({
      ...message,
      replyToId: message.replyToId ?? null,
      id,
      threadCount: 0,
      symbol: null,
      updatedAt: message.createdAt,
      editedAt: null,
      deletedAt: null,
      pinnedAt: null,
      pinnedBy: null,
    });
    if (mentions.length === 0 && message.parentId === null && attachments.length === 0) {
      const inserted = await this.#insertBatched(parameters);
      return inserted.affected === 1 ? { message: stored(inserted.insertId) } : null;
    }
    try {
      return await this.dataSource.transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (!runner) {
          throw new Error('a transaction without a query runner');
        }
        if (message.parentId !== null) {
          // The parent row is locked for writing first, before the insert's foreign key check takes a shared
          // lock on it (MariaDB): two replies, or a reply and an edit, then queue instead of deadlocking.
          await runner.query('UPDATE messages SET thread_count = thread_count + 1, updated_at = ? WHERE id = ?', [
            message.createdAt,
            message.parentId,
          ]);
        }
        const inserted = await execute(runner, INSERT_IF_MEMBER, parameters);
        if (inserted.affected !== 1) {
          throw new NotInserted();
        }
        const saved = stored(inserted.insertId);
        await attachFiles(runner, saved.id, message.senderId, attachments);
        if (mentions.length > 0) {
          await manager
            .getRepository(MentionEntity)
            .insert(mentions.map((userId) => ({ messageId: saved.id, userId, symbol: null })));
        }
        if (message.parentId === null) {
          return { message: saved };
        }
        const [parent] = (await runner.query('SELECT thread_count FROM messages WHERE id = ?', [message.parentId])) as {
          thread_count: number | string;
        }[];
        return { message: saved, parentThreadCount: Number(parent.thread_count) };
      });
    } catch (error) {
      if (error instanceof NotInserted) {
        return null;
      }
      throw error;
    }
  }

  /** Queues one guarded plain INSERT for the batch of this event-loop turn. */
  #insertBatched(parameters: unknown[]): Promise<{ affected: number; insertId: number }> {
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) {
        setImmediate(() => this.#flush());
      }
      this.#queued.push({ parameters, resolve, reject });
    });
  }

  #flush(): void {
    const queued = this.#queued;
    this.#queued = [];
    for (let start = 0; start < queued.length; start += INSERT_BATCH_MAX) {
      void this.#writeBatch(queued.slice(start, start + INSERT_BATCH_MAX));
    }
  }

  /**
   * Writes the batch in one transaction, each row through the same guarded INSERT, in queue order (ids follow
   * it). A duplicate (sender, localId) fails its own statement only, in both dialects, and is that sender's
   * answer. Any other failure rolls the whole transaction back and every message is written again alone, so
   * each sender gets its own outcome and nothing is half-written or lost.
   */
  async #writeBatch(batch: QueuedInsert[]): Promise<void> {
    if (batch.length === 1) {
      await this.#insertAlone(batch[0]);
      return;
    }
    let outcomes: ({ affected: number; insertId: number } | { duplicate: unknown })[];
    try {
      outcomes = await this.dataSource.transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (!runner) {
          throw new Error('a transaction without a query runner');
        }
        const results: ({ affected: number; insertId: number } | { duplicate: unknown })[] = [];
        for (const item of batch) {
          try {
            results.push(await execute(runner, INSERT_IF_MEMBER, item.parameters));
          } catch (error) {
            if (!isUniqueViolation(error)) {
              throw error;
            }
            results.push({ duplicate: error });
          }
        }
        return results;
      });
    } catch {
      for (const item of batch) {
        await this.#insertAlone(item);
      }
      return;
    }
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index];
      if ('duplicate' in outcome) {
        item.reject(outcome.duplicate);
      } else {
        item.resolve(outcome);
      }
    }
  }

  /** One guarded INSERT, atomic alone, outside any transaction. */
  async #insertAlone(item: QueuedInsert): Promise<void> {
    try {
      const inserted = await outsideTransactions(this.dataSource, async () => {
        const runner = this.dataSource.createQueryRunner();
        try {
          return await execute(runner, INSERT_IF_MEMBER, item.parameters);
        } finally {
          await runner.release();
        }
      });
      item.resolve(inserted);
    } catch (error) {
      item.reject(error);
    }
  }

  async findById(id: number): Promise<MessageEntity | null> {
    const rows = (await this.dataSource.query(BY_ID, [id])) as MessageRow[];
    return rows.length > 0 ? toMessageEntity(rows[0]) : null;
  }

  /** The stored message of a send, for a resend of the same localId. */
  async findBySenderAndLocalId(senderId: number, localId: string): Promise<MessageEntity | null> {
    const rows = (await this.dataSource.query(BY_SENDER_AND_LOCAL_ID, [senderId, localId])) as MessageRow[];
    return rows.length > 0 ? toMessageEntity(rows[0]) : null;
  }

  /**
   * The answered messages of replies, by id: sender, the first `maxLength` characters of the text (SUBSTR, so a
   * page of replies to long messages does not read them whole) and whether it is deleted.
   */
  async excerptsOf(
    messageIds: number[],
    maxLength: number,
  ): Promise<Map<number, { senderId: number; excerpt: string | null }>> {
    const result = new Map<number, { senderId: number; excerpt: string | null }>();
    if (messageIds.length === 0) {
      return result;
    }
    const rows = (await this.dataSource.query(
      `SELECT id, sender_id, deleted_at, SUBSTR(content, 1, ?) AS excerpt FROM messages WHERE id IN (${messageIds.map(() => '?').join(', ')})`,
      [maxLength, ...messageIds],
    )) as { id: number | string; sender_id: number | string; deleted_at: unknown; excerpt: string | null }[];
    for (const row of rows) {
      result.set(Number(row.id), {
        senderId: Number(row.sender_id),
        excerpt: row.deleted_at === null ? (row.excerpt ?? '').slice(0, maxLength) : null,
      });
    }
    return result;
  }

  async mentionsOf(messageIds: number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    if (messageIds.length === 0) {
      return result;
    }
    // The text depends on the number of ids only (a page is usually 50), not on their values.
    const rows = (await this.dataSource.query(
      `SELECT message_id, user_id FROM message_mentions WHERE message_id IN (${messageIds.map(() => '?').join(', ')}) ORDER BY id`,
      messageIds,
    )) as { message_id: number | string; user_id: number | string }[];
    for (const row of rows) {
      const messageId = Number(row.message_id);
      const list = result.get(messageId) ?? [];
      list.push(Number(row.user_id));
      result.set(messageId, list);
    }
    return result;
  }

  /**
   * Reactions of these messages, grouped per emoji in the order each emoji first appeared, reactors oldest
   * first. Messages without any are absent from the map.
   */
  async reactionsOf(messageIds: number[]): Promise<Map<number, { emoji: string; userIds: number[] }[]>> {
    const result = new Map<number, { emoji: string; userIds: number[] }[]>();
    if (messageIds.length === 0) {
      return result;
    }
    const rows = (await this.dataSource.query(
      `SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id IN (${messageIds.map(() => '?').join(', ')}) ORDER BY id`,
      messageIds,
    )) as { message_id: number | string; emoji: string; user_id: number | string }[];
    for (const row of rows) {
      const messageId = Number(row.message_id);
      const list = result.get(messageId) ?? [];
      const emoji = emojiFromKey(row.emoji);
      let group = list.find((r) => r.emoji === emoji);
      if (!group) {
        group = { emoji, userIds: [] };
        list.push(group);
      }
      group.userIds.push(Number(row.user_id));
      result.set(messageId, list);
    }
    return result;
  }

  /**
   * Adds or removes one user's emoji on a message; `false` when that changed nothing (already there, or not
   * there to remove). A change bumps the message's updated_at so message.sync carries the new reactions to
   * clients that were offline. The message row is locked first: reactions to one message queue, so the
   * distinct-emoji cap cannot be passed by two racing adds. Throws TooManyReactionsError past the cap.
   */
  async react(
    messageId: number,
    userId: number,
    emoji: string,
    on: boolean,
    now: number,
    maxEmoji: number,
  ): Promise<boolean> {
    const key = emojiKey(emoji);
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner;
      if (!runner) {
        throw new Error('a transaction without a query runner');
      }
      await runner.query('UPDATE messages SET updated_at = updated_at WHERE id = ?', [messageId]);
      const mine = (await runner.query(
        'SELECT id FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?',
        [messageId, key, userId],
      )) as unknown[];
      if (on === mine.length > 0) {
        return false;
      }
      if (on) {
        const emojis = (await runner.query('SELECT DISTINCT emoji FROM message_reactions WHERE message_id = ?', [
          messageId,
        ])) as { emoji: string }[];
        if (!emojis.some((e) => e.emoji === key) && emojis.length >= maxEmoji) {
          throw new TooManyReactionsError();
        }
        await runner.query(
          'INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)',
          [messageId, userId, key, now],
        );
      } else {
        await runner.query('DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?', [
          messageId,
          key,
          userId,
        ]);
      }
      await runner.query('UPDATE messages SET updated_at = ? WHERE id = ?', [now, messageId]);
      return true;
    });
  }

  /**
   * Pins or unpins; `false` when it already was so. A pin is refused with TooManyPinsError when the room holds
   * `maxPins`. The message row is locked first, so two pins racing for the last place cannot both pass.
   */
  async pin(message: MessageEntity, userId: number, pinned: boolean, now: number, maxPins: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner;
      if (!runner) {
        throw new Error('a transaction without a query runner');
      }
      await runner.query('UPDATE messages SET updated_at = updated_at WHERE id = ?', [message.id]);
      const [row] = (await runner.query('SELECT pinned_at FROM messages WHERE id = ?', [message.id])) as {
        pinned_at: number | string | null;
      }[];
      if ((row?.pinned_at !== null && row?.pinned_at !== undefined) === pinned) {
        return false;
      }
      if (pinned) {
        const [count] = (await runner.query(
          'SELECT COUNT(*) AS n FROM messages WHERE room_id = ? AND pinned_at IS NOT NULL',
          [message.roomId],
        )) as { n: number | string }[];
        if (Number(count?.n ?? 0) >= maxPins) {
          throw new TooManyPinsError();
        }
      }
      await runner.query('UPDATE messages SET pinned_at = ?, pinned_by = ?, updated_at = ? WHERE id = ?', [
        pinned ? now : null,
        pinned ? userId : null,
        now,
        message.id,
      ]);
      return true;
    });
  }

  /** A room's pinned messages, most recently pinned first (ix_messages_room_pinned). */
  async pinned(roomId: number, limit: number): Promise<MessageEntity[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.room_id = ? AND m.pinned_at IS NOT NULL ORDER BY m.pinned_at DESC, m.id DESC LIMIT ?`,
      [roomId, limit],
    )) as MessageRow[];
    return rows.map(toMessageEntity);
  }

  /**
   * A page of top-level messages (or of one thread's replies), newest first, `limit + 1` rows so the
   * caller knows whether older ones exist. Walks ix_messages_room_parent_id backwards at any depth.
   */
  async page(
    roomId: number,
    options: { beforeId?: number; threadId?: number; limit: number },
  ): Promise<MessageEntity[]> {
    const parameters: number[] = [roomId];
    if (options.threadId !== undefined) {
      parameters.push(options.threadId);
    }
    if (options.beforeId !== undefined) {
      parameters.push(options.beforeId);
    }
    parameters.push(options.limit + 1);
    const sql = pageSql(this.#dialect, options.threadId !== undefined, options.beforeId !== undefined);
    return ((await this.dataSource.query(sql, parameters)) as MessageRow[]).map(toMessageEntity);
  }

  /** Messages newer than `afterId` (threads included), newest first, at most `limit + 1`. */
  newerThan(roomId: number, afterId: number, limit: number): Promise<MessageEntity[]> {
    return this.#messages.find({
      where: { roomId, id: MoreThan(afterId) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
  }

  /** Messages the client already had (id ≤ upToId) that changed at or after `since`, at most `limit + 1`. */
  changedSince(roomId: number, upToId: number, since: number, limit: number): Promise<MessageEntity[]> {
    return this.#messages.find({
      where: { roomId, id: LessThanOrEqual(upToId), updatedAt: MoreThanOrEqual(since) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
  }

  /**
   * Saves the previous content as history, then the new content, mentions and attachments (`undefined`: those
   * stay), in one transaction. Returns the storage keys of the attachments the edit removed: their rows are gone,
   * their files are the caller's to delete once this committed. AttachmentRefusedError when an added id is not
   * a fresh upload of the author; `emptied` when neither text nor an attachment would remain (nothing written).
   */
  async edit(
    message: MessageEntity,
    content: string,
    mentions: number[] | undefined,
    attachments: number[] | undefined,
    now: number,
  ): Promise<{ message: MessageEntity; removedKeys: string[] } | 'emptied'> {
    return this.dataSource
      .transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (!runner) {
          throw new Error('a transaction without a query runner');
        }
        // The row is locked for writing before the history insert's foreign key check locks it shared (MariaDB),
        // so an edit and a thread reply to the same message queue instead of deadlocking.
        await manager
          .getRepository(MessageEntity)
          .update({ id: message.id }, { content, editedAt: now, updatedAt: now });
        await manager
          .getRepository(MessageEditEntity)
          .insert({ messageId: message.id, content: message.content, editedAt: now });
        if (mentions !== undefined) {
          await manager.getRepository(MentionEntity).delete({ messageId: message.id });
          if (mentions.length > 0) {
            await manager
              .getRepository(MentionEntity)
              .insert(mentions.map((userId) => ({ messageId: message.id, userId, symbol: null })));
          }
        }
        const current = await filesOf(runner, message.id);
        const wanted = new Set(attachments ?? current.map((file) => file.id));
        const removed = current.filter((file) => !wanted.has(file.id));
        if (attachments !== undefined) {
          await attachFiles(runner, message.id, message.senderId, attachments, new Set(current.map((file) => file.id)));
          await detachFiles(
            runner,
            removed.map((file) => file.id),
          );
        }
        if (content === '' && (attachments ?? current).length === 0) {
          throw new EmptiedMessage();
        }
        return {
          message: await manager.getRepository(MessageEntity).findOneByOrFail({ id: message.id }),
          removedKeys: removed.map((file) => file.storageKey),
        };
      })
      .catch((error: unknown) => {
        if (error instanceof EmptiedMessage) {
          return 'emptied' as const;
        }
        throw error;
      });
  }

  /**
   * Soft delete: history keeps the last content, the row loses it, its mentions and its attachments' rows.
   * Returns the attachments' storage keys: the caller deletes the files once this committed.
   */
  async softDelete(message: MessageEntity, now: number): Promise<{ message: MessageEntity; removedKeys: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner;
      if (!runner) {
        throw new Error('a transaction without a query runner');
      }
      // Row lock first, history second: see edit().
      await manager
        .getRepository(MessageEntity)
        .update({ id: message.id }, { content: null, deletedAt: now, updatedAt: now, pinnedAt: null, pinnedBy: null });
      await manager
        .getRepository(MessageEditEntity)
        .insert({ messageId: message.id, content: message.content, editedAt: now });
      await manager.getRepository(MentionEntity).delete({ messageId: message.id });
      const files = await filesOf(runner, message.id);
      await detachFiles(
        runner,
        files.map((file) => file.id),
      );
      return {
        message: await manager.getRepository(MessageEntity).findOneByOrFail({ id: message.id }),
        removedKeys: files.map((file) => file.storageKey),
      };
    });
  }

  /**
   * Word search, newest first: in one room, or with `roomId` null in every live room `userId` is a member of
   * (the membership is part of the statement, so a room I left or never joined never yields a hit).
   *
   * On the word index (SQLite FTS5 `messages_fts`, MariaDB FULLTEXT `ft_messages_content`, see searchPlan):
   * the matches' ids come from the index, so a rare or absent word reads only its own rows. SQLite walks the
   * matches in id order and stops at the page (no sort); MariaDB sorts the matches (a word in most rows of a
   * big history costs that sort). A query with no word the index can use falls back to the substring walk.
   */
  async search(
    scope: { roomId: number } | { userId: number },
    text: string,
    offset: number,
    limit: number,
  ): Promise<MessageEntity[]> {
    const plan = searchPlan(text, this.#dialect);
    let ids: number[];
    if (plan.match !== null) {
      ids = await this.searchIndexed(scope, plan.match, plan.likes, offset, limit + 1);
    } else if ('roomId' in scope) {
      ids = await this.searchIds(scope.roomId, null, plan.likes, offset + limit + 1);
      ids = ids.slice(offset);
    } else {
      ids = await this.searchWalkRooms(scope.userId, plan.likes, offset, limit);
    }
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.#messages.findBy({ id: In(ids) });
    return rows.sort((a, b) => b.id - a.id);
  }

  /** The index path: one statement whatever the scope. `likes` keep terms with punctuation literal. */
  private async searchIndexed(
    scope: { roomId: number } | { userId: number },
    match: string,
    likes: string[],
    offset: number,
    limit: number,
  ): Promise<number[]> {
    const inScope =
      'roomId' in scope
        ? 'm.room_id = ?'
        : 'm.room_id IN (SELECT rm.room_id FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id ' +
          'WHERE rm.user_id = ? AND r.deleted_at IS NULL)';
    const literal = likes.map(() => " AND LOWER(m.content) LIKE ? ESCAPE '!'").join('');
    const sql =
      this.#dialect === 'sqlite'
        ? // CROSS JOIN keeps the FTS table outside: its matches come in rowid order, so the LIMIT stops the walk.
          'SELECT m.id AS id FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid ' +
          `WHERE f.messages_fts MATCH ? AND m.deleted_at IS NULL AND ${inScope}${literal} ` +
          'ORDER BY f.rowid DESC LIMIT ? OFFSET ?'
        : 'SELECT m.id AS id FROM messages m WHERE MATCH(m.content) AGAINST (? IN BOOLEAN MODE) ' +
          `AND m.deleted_at IS NULL AND ${inScope}${literal} ORDER BY m.id DESC LIMIT ? OFFSET ?`;
    const scopeId = 'roomId' in scope ? scope.roomId : scope.userId;
    const rows = (await this.dataSource.query(sql, [match, scopeId, ...likes, limit, offset])) as {
      id: number | string;
    }[];
    return rows.map((row) => Number(row.id));
  }

  /**
   * The substring fallback across rooms: one walk per room merged here rather than one `room_id IN (my rooms)
   * ORDER BY id` statement, which made both planners collect and sort every match before the LIMIT
   * (docs/performance.md §12); each room's walk runs down (room_id, id) and stops after `offset + limit + 1`.
   */
  private async searchWalkRooms(userId: number, likes: string[], offset: number, limit: number): Promise<number[]> {
    const rooms = (await this.dataSource.query(
      'SELECT rm.room_id AS id FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id ' +
        'WHERE rm.user_id = ? AND r.deleted_at IS NULL',
      [userId],
    )) as { id: number | string }[];
    const want = offset + limit + 1;
    const ids: number[] = [];
    for (const room of rooms) {
      // Sequential: on SQLite the statements run one at a time anyway, on MariaDB a user in many rooms must not
      // take the whole pool.
      ids.push(...(await this.searchIds(Number(room.id), userId, likes, want)));
    }
    return ids.sort((a, b) => b - a).slice(offset, want);
  }

  private async searchIds(roomId: number, userId: number | null, likes: string[], limit: number): Promise<number[]> {
    const found = (await this.searchWalk(roomId, userId, likes).select('m.id', 'id').limit(limit).getRawMany()) as {
      id: number | string;
    }[];
    return found.map((row) => Number(row.id));
  }

  /**
   * One room's substring matches (every pattern), newest first, walked down (room_id, id) with no sort (a
   * medium test EXPLAINs it). With `userId`, only while that user is a member of the (live) room.
   */
  searchWalk(roomId: number, userId: number | null, patterns: string[]): SelectQueryBuilder<MessageEntity> {
    const query = this.#messages.createQueryBuilder('m').where('m.room_id = :roomId', { roomId });
    if (this.#dialect === 'mysql') {
      // MariaDB may otherwise pick another index led by room_id (room_id, parent_id, id) and filesort the matches.
      query.useIndex('ix_messages_room_id');
    }
    if (userId !== null) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id ' +
          'WHERE rm.room_id = :roomId AND rm.user_id = :userId AND r.deleted_at IS NULL)',
        { userId },
      );
    }
    query.andWhere('m.deleted_at IS NULL');
    patterns.forEach((pattern, i) => {
      query.andWhere(`LOWER(m.content) LIKE :pattern${i} ESCAPE '!'`, { [`pattern${i}`]: pattern });
    });
    return query.orderBy('m.id', 'DESC');
  }
}

/** InnoDB's default full-text stopwords (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD): never in the index. */
const INNODB_STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);
/** innodb_ft_min_token_size / innodb_ft_max_token_size defaults: other words are not in the index. */
const INNODB_MIN_TOKEN = 3;
const INNODB_MAX_TOKEN = 84;

const likePattern = (term: string): string => `%${term.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/**
 * A search query as the word index reads it. Words are runs of letters and digits (MariaDB's parser counts
 * `_` in too); every word must be in the message, the last one as a prefix ("deplo" finds "deployed").
 * `match` is built from those words only, each quoted, so the user's text never reaches the MATCH syntax
 * (`"`, `*`, `NEAR`, `AND`, `-` are text). A whitespace-separated term with anything besides one word in it
 * (`100%`, `snake_case`) must also appear literally: `likes` (lowercased LIKE patterns, `!` escapes).
 * MariaDB's index has no words under 3 (or over 84) characters nor stopwords: those terms are matched as
 * substrings instead, and with no indexable word left `match` is null: the substring walk, every term a LIKE.
 */
export function searchPlan(text: string, dialect: 'sqlite' | 'mysql'): { match: string | null; likes: string[] } {
  const wordPattern = dialect === 'mysql' ? /[\p{L}\p{N}_]+/gu : /[\p{L}\p{N}]+/gu;
  const terms = text
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '');
  const tokens: { word: string; prefix: boolean }[] = [];
  const likes: string[] = [];
  terms.forEach((term, termIndex) => {
    const words = term.match(wordPattern) ?? [];
    let literal = words.length !== 1 || words[0] !== term;
    words.forEach((word, wordIndex) => {
      const length = [...word].length;
      if (
        dialect === 'mysql' &&
        (length < INNODB_MIN_TOKEN || length > INNODB_MAX_TOKEN || INNODB_STOPWORDS.has(word))
      ) {
        literal = true;
        return;
      }
      tokens.push({ word, prefix: termIndex === terms.length - 1 && wordIndex === words.length - 1 });
    });
    if (literal) {
      likes.push(likePattern(term));
    }
  });
  if (tokens.length === 0) {
    return { match: null, likes: terms.map(likePattern) };
  }
  const match =
    dialect === 'sqlite'
      ? tokens.map(({ word, prefix }) => `"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`).join(' ')
      : tokens.map(({ word, prefix }) => `+${word}${prefix ? '*' : ''}`).join(' ');
  return { match, likes };
}
