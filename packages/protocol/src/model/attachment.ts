import { z } from 'zod';
import { Id } from './ids';

/** An uploaded file's id (`uploaded_files.id`): given by POST /api/files, passed in `message.send.attachments`. */
export const FileId = Id;
export type FileId = z.infer<typeof FileId>;

/**
 * How a client shows an attachment. Decided by the server from the file's content (magic bytes), never from
 * its name or the type the browser claimed: `image` (PNG, JPEG, GIF, WebP, AVIF: thumbnail + lightbox),
 * `video` and `audio` (played inline; a voice message is `audio`), anything else `file` (a download card).
 */
export const AttachmentKind = z.enum(['image', 'video', 'audio', 'file']);
export type AttachmentKind = z.infer<typeof AttachmentKind>;

export const AttachmentDto = z.strictObject({
  id: FileId,
  kind: AttachmentKind,
  /** The name the uploader's browser gave (cleaned: no path, no control characters). */
  name: z.string(),
  /** Bytes of the original. */
  size: z.number().int().nonnegative(),
  /** The type the server detected and serves the original with (`application/octet-stream` if unknown). */
  mime: z.string(),
  /** Images: pixel size after EXIF rotation; otherwise null. */
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** The original: inline for image/video/audio, `Content-Disposition: attachment` for anything else. */
  url: z.string(),
  /** Images: a WebP at most 400×400. */
  thumbnailUrl: z.string().nullable(),
  /** Images: a WebP at most 1600×1600 for the lightbox (the original may be huge). */
  previewUrl: z.string().nullable(),
});
export type AttachmentDto = z.infer<typeof AttachmentDto>;
