import type { Readable } from 'node:stream';
import type { UserDto } from '@pychat/protocol';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { UserRepository } from '../repositories/user.repository';
import { detectStoredType, detectType, makeSquareThumb } from '../storage/media';
import { TooLargeError, type UploadStore } from '../storage/upload-store';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import { fileTooLarge } from './file.service';
import { toUserDto } from './user.service';

/** Side of the square WebP thumbnail shown beside a user everywhere (2× the largest avatar drawn, 64 px). */
export const AVATAR_SIZE = 128;

/**
 * Avatars: the original and a square WebP thumbnail in their own store (`<upload dir>/avatars`, out of the
 * uploads collector's sight), keyed by a random key kept in `users.thumbnail`. Not counted in the upload quota:
 * one per user, the old one removed on change. Every signed-in user may fetch every avatar (the directory is
 * everyone's).
 */
export class AvatarService {
  constructor(
    private readonly users: UserRepository,
    private readonly store: UploadStore,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  /** Stores a new avatar from an upload stream, replaces the old one and tells everyone (`user.updated`). */
  async set(userId: number, input: { stream: Readable; claimedType: string }): Promise<UserDto> {
    const key = this.store.newKey();
    let head: Buffer;
    try {
      ({ head } = await this.store.write(key, input.stream, this.maxBytes));
    } catch (error) {
      throw error instanceof TooLargeError ? fileTooLarge(this.maxBytes) : error;
    }
    try {
      const type = await detectType(head, input.claimedType);
      if (
        type.kind !== 'image' ||
        !(await makeSquareThumb(this.store.path(key), this.store.path(key, 'thumb'), AVATAR_SIZE))
      ) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'An avatar must be a PNG, JPEG, GIF, WebP or AVIF image');
      }
      return await this.replace(userId, key);
    } catch (error) {
      await this.store.remove([key]);
      throw error;
    }
  }

  /** Removes my avatar (the coloured initial shows again). */
  async clear(userId: number): Promise<UserDto> {
    return this.replace(userId, null);
  }

  /**
   * The thumbnail (or the original) of a user's current avatar. A key that is not their current one (replaced,
   * removed, made up) is FILE_NOT_FOUND.
   */
  async open(userId: number, key: string, variant: 'original' | 'thumb'): Promise<{ path: string; mime: string }> {
    const user = await this.users.findById(userId);
    if (!user || user.thumbnail === null || user.thumbnail !== key) {
      throw new AppError('FILE_NOT_FOUND', `User ${userId} has no avatar ${key.slice(0, 40)}`);
    }
    const path = this.store.path(key, variant);
    const mime = variant === 'thumb' ? 'image/webp' : await detectStoredType(path).catch(() => null);
    if (mime === null) {
      // Replaced on another instance a moment ago.
      throw new AppError('FILE_NOT_FOUND', 'The avatar was removed');
    }
    return { path, mime };
  }

  private async replace(userId: number, key: string | null): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    await this.users.setThumbnail(userId, key, this.clock());
    if (user.thumbnail !== null) {
      // The row no longer names it, so nobody can fetch it; a failed unlink only leaves bytes behind.
      await this.store.remove([user.thumbnail]).catch((error: unknown) => {
        this.logger.warn({ err: error, userId }, 'could not remove the previous avatar');
      });
    }
    const dto = toUserDto({ ...user, thumbnail: key, updatedAt: this.clock() });
    await this.events.emit('user.updated', { user: dto });
    return dto;
  }
}
