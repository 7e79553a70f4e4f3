import { In, LessThanOrEqual, MoreThan, MoreThanOrEqual, type DataSource, type Repository } from 'typeorm';
import { MentionEntity, MessageEditEntity, MessageEntity } from '../entities';

export interface NewMessage {
  roomId: number;
  senderId: number;
  content: string;
  localId: string;
  parentId: number | null;
  createdAt: number;
}

export class MessageRepository {
  readonly #messages: Repository<MessageEntity>;
  readonly #mentions: Repository<MentionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.#messages = dataSource.getRepository(MessageEntity);
    this.#mentions = dataSource.getRepository(MentionEntity);
  }

  /**
   * Inserts the message, its mentions and the parent's reply count in one transaction.
   * Returns the parent's new reply count for thread replies.
   */
  async insert(
    message: NewMessage,
    mentions: number[],
  ): Promise<{ message: MessageEntity; parentThreadCount?: number }> {
    return this.dataSource.transaction(async (manager) => {
      const messages = manager.getRepository(MessageEntity);
      const saved = await messages.save({
        ...message,
        threadCount: 0,
        symbol: null,
        updatedAt: message.createdAt,
        editedAt: null,
        deletedAt: null,
      });
      if (mentions.length > 0) {
        await manager
          .getRepository(MentionEntity)
          .insert(mentions.map((userId) => ({ messageId: saved.id, userId, symbol: null })));
      }
      if (message.parentId === null) {
        return { message: saved };
      }
      await messages.increment({ id: message.parentId }, 'threadCount', 1);
      await messages.update({ id: message.parentId }, { updatedAt: message.createdAt });
      const parent = await messages.findOneByOrFail({ id: message.parentId });
      return { message: saved, parentThreadCount: parent.threadCount };
    });
  }

  findById(id: number): Promise<MessageEntity | null> {
    return this.#messages.findOneBy({ id });
  }

  findBySenderAndLocalId(senderId: number, localId: string): Promise<MessageEntity | null> {
    return this.#messages.findOneBy({ senderId, localId });
  }

  async mentionsOf(messageIds: number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    if (messageIds.length === 0) {
      return result;
    }
    const rows = await this.#mentions.find({ where: { messageId: In(messageIds) }, order: { id: 'ASC' } });
    for (const row of rows) {
      const list = result.get(row.messageId) ?? [];
      list.push(row.userId);
      result.set(row.messageId, list);
    }
    return result;
  }

  /**
   * A page of top-level messages (or of one thread's replies), newest first, `limit + 1` rows so the
   * caller knows whether older ones exist. Walks ix_messages_room_parent_id / ix_messages_parent_id.
   */
  page(roomId: number, options: { beforeId?: number; threadId?: number; limit: number }): Promise<MessageEntity[]> {
    const query = this.#messages.createQueryBuilder('m').where('m.room_id = :roomId', { roomId });
    if (options.threadId !== undefined) {
      query.andWhere('m.parent_id = :threadId', { threadId: options.threadId });
    } else {
      query.andWhere('m.parent_id IS NULL');
    }
    if (options.beforeId !== undefined) {
      query.andWhere('m.id < :beforeId', { beforeId: options.beforeId });
    }
    return query
      .orderBy('m.id', 'DESC')
      .limit(options.limit + 1)
      .getMany();
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

  /** Saves the previous content as history, then the new content and mentions, in one transaction. */
  async edit(
    message: MessageEntity,
    content: string,
    mentions: number[] | undefined,
    now: number,
  ): Promise<MessageEntity> {
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(MessageEditEntity)
        .insert({ messageId: message.id, content: message.content, editedAt: now });
      await manager.getRepository(MessageEntity).update({ id: message.id }, { content, editedAt: now, updatedAt: now });
      if (mentions !== undefined) {
        await manager.getRepository(MentionEntity).delete({ messageId: message.id });
        if (mentions.length > 0) {
          await manager
            .getRepository(MentionEntity)
            .insert(mentions.map((userId) => ({ messageId: message.id, userId, symbol: null })));
        }
      }
      return manager.getRepository(MessageEntity).findOneByOrFail({ id: message.id });
    });
  }

  /** Soft delete: history keeps the last content, the row loses it and its mentions. */
  async softDelete(message: MessageEntity, now: number): Promise<MessageEntity> {
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(MessageEditEntity)
        .insert({ messageId: message.id, content: message.content, editedAt: now });
      await manager
        .getRepository(MessageEntity)
        .update({ id: message.id }, { content: null, deletedAt: now, updatedAt: now });
      await manager.getRepository(MentionEntity).delete({ messageId: message.id });
      return manager.getRepository(MessageEntity).findOneByOrFail({ id: message.id });
    });
  }

  editsOf(messageId: number): Promise<MessageEditEntity[]> {
    return this.dataSource.getRepository(MessageEditEntity).find({ where: { messageId }, order: { id: 'ASC' } });
  }

  /** Case-insensitive substring search, newest first (both engines: LOWER + LIKE with an explicit escape). */
  search(roomId: number, text: string, offset: number, limit: number): Promise<MessageEntity[]> {
    const escaped = text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`);
    return this.#messages
      .createQueryBuilder('m')
      .where('m.room_id = :roomId', { roomId })
      .andWhere('m.deleted_at IS NULL')
      .andWhere("LOWER(m.content) LIKE :pattern ESCAPE '!'", { pattern: `%${escaped}%` })
      .orderBy('m.id', 'DESC')
      .offset(offset)
      .limit(limit + 1)
      .getMany();
  }
}
