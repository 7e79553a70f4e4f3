import { In, IsNull, LessThan, type DataSource, type Repository } from 'typeorm';
import { UploadedFileEntity } from '../entities';

/** A file with the room of the message it is attached to (null while unattached). */
export interface FileWithRoom {
  file: UploadedFileEntity;
  roomId: number | null;
}

export class FileRepository {
  readonly #files: Repository<UploadedFileEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.#files = dataSource.getRepository(UploadedFileEntity);
  }

  async create(file: Omit<UploadedFileEntity, 'id' | 'messageId' | 'position'>): Promise<UploadedFileEntity> {
    const row = { ...file, messageId: null, position: 0 };
    const result = await this.#files.insert(row);
    return { ...row, id: Number((result.identifiers[0] as { id: number }).id) };
  }

  /** Marks an upload as having renditions (a video's poster), with the size they were made from. */
  async setPreview(id: number, size: { width: number; height: number }): Promise<void> {
    await this.#files.update({ id }, { hasPreview: true, width: size.width, height: size.height });
  }

  async findWithRoom(id: number): Promise<FileWithRoom | null> {
    const file = await this.#files.findOneBy({ id });
    if (!file) {
      return null;
    }
    if (file.messageId === null) {
      return { file, roomId: null };
    }
    const rows = (await this.dataSource.query('SELECT room_id FROM messages WHERE id = ?', [file.messageId])) as {
      room_id: number | string;
    }[];
    return rows.length > 0 ? { file, roomId: Number(rows[0].room_id) } : null;
  }

  /** Bytes of all of a user's stored uploads, attached or not (the quota counts both). */
  async usedBytes(uploaderId: number): Promise<number> {
    const rows = (await this.dataSource.query('SELECT SUM(size) AS total FROM uploaded_files WHERE uploader_id = ?', [
      uploaderId,
    ])) as { total: number | string | null }[];
    return Number(rows[0]?.total ?? 0);
  }

  /** The attachments of these messages, in their order on each message. */
  async ofMessages(messageIds: number[]): Promise<Map<number, UploadedFileEntity[]>> {
    const result = new Map<number, UploadedFileEntity[]>();
    if (messageIds.length === 0) {
      return result;
    }
    const rows = await this.#files.find({
      where: { messageId: In(messageIds) },
      order: { position: 'ASC', id: 'ASC' },
    });
    for (const row of rows) {
      const list = result.get(row.messageId as number) ?? [];
      list.push(row);
      result.set(row.messageId as number, list);
    }
    return result;
  }

  /** Uploads never attached and older than `before`, at most `limit` (the collector's batch). */
  unattachedBefore(before: number, limit: number): Promise<UploadedFileEntity[]> {
    return this.#files.find({ where: { messageId: IsNull(), createdAt: LessThan(before) }, take: limit });
  }

  async deleteByIds(ids: number[]): Promise<void> {
    if (ids.length > 0) {
      await this.#files.delete({ id: In(ids) });
    }
  }

  /** Which of these storage keys have a row (the collector keeps those files). */
  async knownKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) {
      return new Set();
    }
    const rows = await this.#files.find({ select: { storageKey: true }, where: { storageKey: In(keys) } });
    return new Set(rows.map((row) => row.storageKey));
  }
}
