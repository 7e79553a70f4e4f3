import type { Readable } from 'node:stream';
import { LIMITS, type AttachmentDto } from '@pychat/protocol';
import type { UploadedFileEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { FileRepository } from '../repositories/file.repository';
import { detectType, makeRenditions } from '../storage/media';
import { TooLargeError, type UploadStore, type Variant } from '../storage/upload-store';
import type { AccessService } from './access.service';
import type { Clock } from './clock';

/** An upload nobody attached within this time is collected (the composer sends within minutes). */
export const UNATTACHED_TTL_MS = 24 * 3_600_000;
/** A video's poster is one frame as JPEG/WebP/PNG: a few hundred kB at most from a browser's canvas. */
export const POSTER_MAX_BYTES = 5 * 1048576;
/** Multipart framing around one file part (boundaries, part headers): allowed on top of the size limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface UploadLimits {
  maxBytes: number;
  /** null: no quota. */
  quotaBytes: number | null;
}

export function toAttachmentDto(file: UploadedFileEntity): AttachmentDto {
  const base = `/api/files/${file.id}`;
  return {
    id: file.id,
    kind: file.kind as AttachmentDto['kind'],
    name: file.name,
    size: file.size,
    mime: file.mime,
    width: file.width,
    height: file.height,
    url: base,
    thumbnailUrl: file.hasPreview ? `${base}/thumb` : null,
    previewUrl: file.hasPreview ? `${base}/preview` : null,
  };
}

export function fileTooLarge(maxBytes: number): AppError {
  return new AppError('FILE_TOO_LARGE', `Files may be at most ${Math.floor(maxBytes / 1048576)} MB`);
}

/** The last path segment of a browser-given name, without control characters, cut to fit (extension kept). */
export function cleanFileName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // Control characters (C0 and DEL) would break headers and logs.
  const base = [...last]
    .filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  const name = base === '' || base === '.' || base === '..' ? 'file' : base;
  if (name.length <= LIMITS.fileNameMaxLength) {
    return name;
  }
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return name.slice(0, LIMITS.fileNameMaxLength - ext.length) + ext;
}

/**
 * Uploads: limits and quota, storage, type detection, renditions, who may fetch what, and the collector.
 * Attaching happens in MessageService (inside the message's transaction).
 */
export class FileService {
  constructor(
    private readonly files: FileRepository,
    private readonly uploads: UploadStore,
    private readonly access: AccessService,
    private readonly limits: UploadLimits,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Refuses an upload from its Content-Length alone, before any of the body is read: larger than the
   * limit, or past the user's quota. Without a length (chunked) the byte count during `store` decides.
   */
  async checkDeclared(userId: number, contentLength: number | null): Promise<void> {
    if (contentLength === null) {
      return;
    }
    if (contentLength > this.limits.maxBytes + MULTIPART_OVERHEAD) {
      throw this.tooLarge();
    }
    await this.requireQuota(userId, Math.max(0, contentLength - MULTIPART_OVERHEAD));
  }

  /** Stores one upload as it streams in; the partial file is removed on any failure (limit, abort). */
  async store(
    userId: number,
    input: { stream: Readable; name: string | undefined; claimedType: string },
  ): Promise<AttachmentDto> {
    const used = await this.usedBytes(userId);
    const room = this.limits.quotaBytes === null ? Infinity : this.limits.quotaBytes - used;
    if (room <= 0) {
      throw this.quotaExceeded();
    }
    const key = this.uploads.newKey();
    let written: { size: number; head: Buffer };
    try {
      written = await this.uploads.write(key, input.stream, Math.min(this.limits.maxBytes, room));
    } catch (error) {
      if (error instanceof TooLargeError) {
        throw this.limits.maxBytes <= room ? this.tooLarge() : this.quotaExceeded();
      }
      throw error;
    }
    try {
      const type = await detectType(written.head, input.claimedType);
      let size: { width: number; height: number } | null = null;
      if (type.kind === 'image') {
        const started = Date.now();
        size = await makeRenditions(
          this.uploads.path(key),
          this.uploads.path(key, 'thumb'),
          this.uploads.path(key, 'preview'),
        );
        this.logger.debug({ key, ms: Date.now() - started, bytes: written.size }, 'image renditions');
      }
      const file = await this.files.create({
        uploaderId: userId,
        // An image that does not decode is kept, as a plain file.
        kind: type.kind === 'image' && size === null ? 'file' : type.kind,
        name: cleanFileName(input.name),
        mime: type.kind === 'image' && size === null ? 'application/octet-stream' : type.mime,
        size: written.size,
        width: size?.width ?? null,
        height: size?.height ?? null,
        hasPreview: size !== null,
        storageKey: key,
        createdAt: this.clock(),
      });
      return toAttachmentDto(file);
    } catch (error) {
      await this.uploads.remove([key]);
      throw error;
    }
  }

  /**
   * A file the user may fetch, with the path of the variant: their own upload before it is attached, or an
   * attachment of a message in a room they are a member of. Anything else is FILE_NOT_FOUND, like a missing id.
   */
  async open(userId: number, fileId: number, variant: Variant): Promise<{ file: UploadedFileEntity; path: string }> {
    const found = await this.files.findWithRoom(fileId);
    const notFound = new AppError('FILE_NOT_FOUND', `File ${fileId} does not exist or is not visible to you`);
    if (!found || (variant !== 'original' && !found.file.hasPreview)) {
      throw notFound;
    }
    if (found.roomId === null) {
      if (found.file.uploaderId !== userId) {
        throw notFound;
      }
    } else {
      await this.access.requireRoomMember(userId, found.roomId).catch(() => {
        throw notFound;
      });
    }
    return { file: found.file, path: this.uploads.path(found.file.storageKey, variant) };
  }

  /**
   * Sets the poster of a video: the uploader's browser draws its first frame and sends it once, before the
   * file is attached (so nobody ever sees a poster change). The thumb and preview renditions are made from it
   * and served like an image's; the video keeps its kind. Anyone but the uploader, an attached file or a missing
   * id: FILE_NOT_FOUND; not a video, or a poster that is not a decodable image: VALIDATION_FAILED; a second
   * poster: INVALID_OPERATION.
   */
  async setPoster(userId: number, fileId: number, stream: Readable): Promise<AttachmentDto> {
    const found = await this.files.findWithRoom(fileId);
    if (!found || found.roomId !== null || found.file.messageId !== null || found.file.uploaderId !== userId) {
      throw new AppError('FILE_NOT_FOUND', `File ${fileId} does not exist or is not an unsent upload of yours`);
    }
    const { file } = found;
    if (file.kind !== 'video') {
      throw new AppError('VALIDATION_FAILED', 'Only a video gets a poster');
    }
    if (file.hasPreview) {
      throw this.posterExists();
    }
    const key = file.storageKey;
    let written: { head: Buffer };
    try {
      written = await this.uploads.write(key, stream, POSTER_MAX_BYTES, 'poster');
    } catch (error) {
      if (error instanceof TooLargeError) {
        throw fileTooLarge(POSTER_MAX_BYTES);
      }
      throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? this.posterExists() : error;
    }
    const type = await detectType(written.head, '');
    const size =
      type.kind === 'image'
        ? await makeRenditions(
            this.uploads.path(key, 'poster'),
            this.uploads.path(key, 'thumb'),
            this.uploads.path(key, 'preview'),
          )
        : null;
    if (size === null) {
      await this.uploads.removeVariants(key, ['poster', 'thumb', 'preview']);
      throw new AppError('VALIDATION_FAILED', 'The poster is not a PNG, JPEG or WebP image');
    }
    await this.files.setPreview(file.id, size);
    // Only the renditions are served; the sent frame itself is not kept. Removed last, so a second PUT racing
    // this one fails on the file (EEXIST) or on hasPreview.
    await this.uploads.removeVariants(key, ['poster']);
    return toAttachmentDto({ ...file, hasPreview: true, width: size.width, height: size.height });
  }

  /** Attachments of these messages as DTOs (message history, sync, fan-out). */
  async attachmentsOf(messageIds: number[]): Promise<Map<number, AttachmentDto[]>> {
    const rows = await this.files.ofMessages(messageIds);
    return new Map([...rows].map(([messageId, files]) => [messageId, files.map(toAttachmentDto)]));
  }

  /** Deletes the stored files of rows already removed (message deleted, attachment dropped by an edit). */
  async removeStored(keys: string[]): Promise<void> {
    // The rows are gone, so nobody can fetch these any more; a failed unlink is left to the collector.
    await this.uploads.remove(keys).catch((error: unknown) => {
      this.logger.warn({ err: error, keys }, 'could not remove uploaded files; the collector retries');
    });
  }

  /**
   * The collector: removes uploads nobody attached within UNATTACHED_TTL_MS, and files on disk with no row
   * (an unlink that failed, an instance that died between writing and inserting). Returns how many it removed.
   */
  async collect(): Promise<number> {
    const before = this.clock() - UNATTACHED_TTL_MS;
    let removed = 0;
    for (;;) {
      const stale = await this.files.unattachedBefore(before, 500);
      if (stale.length === 0) {
        break;
      }
      await this.files.deleteByIds(stale.map((f) => f.id));
      await this.uploads.remove(stale.map((f) => f.storageKey));
      removed += stale.length;
    }
    const onDisk = await this.uploads.keysOlderThan(before);
    for (let i = 0; i < onDisk.length; i += 500) {
      const batch = onDisk.slice(i, i + 500);
      const known = await this.files.knownKeys(batch);
      const orphans = batch.filter((key) => !known.has(key));
      await this.uploads.remove(orphans);
      removed += orphans.length;
    }
    return removed;
  }

  private async usedBytes(userId: number): Promise<number> {
    return this.limits.quotaBytes === null ? 0 : this.files.usedBytes(userId);
  }

  private async requireQuota(userId: number, bytes: number): Promise<void> {
    if (this.limits.quotaBytes !== null && (await this.usedBytes(userId)) + bytes > this.limits.quotaBytes) {
      throw this.quotaExceeded();
    }
  }

  private posterExists(): AppError {
    return new AppError('INVALID_OPERATION', 'This video already has its poster');
  }

  private tooLarge(): AppError {
    return fileTooLarge(this.limits.maxBytes);
  }

  private quotaExceeded(): AppError {
    return new AppError(
      'QUOTA_EXCEEDED',
      `Your files would take more than your ${Math.floor((this.limits.quotaBytes ?? 0) / 1048576)} MB; delete some messages with files first`,
    );
  }
}
