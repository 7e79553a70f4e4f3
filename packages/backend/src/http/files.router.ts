import { Id, type UploadResponse } from '@pychat/protocol';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import type { FileService } from '../services/file.service';
import { currentUser } from './middleware/auth';
import { drainRefused, receiveFile } from './multipart';
import { validate } from './validate';

/**
 * On every served file, whatever its type: a document opened from this path runs nothing and reaches nothing
 * (`sandbox` also gives it an opaque origin, so an HTML or SVG file that a browser renders anyway cannot read
 * Pychat's cookies or storage). Replaces the app's policy set by securityHeaders.
 */
export const FILE_CSP = "default-src 'none'; sandbox";
/** The bytes behind an id never change (an edit removes or adds ids), so a fetched file is kept for a year. */
export const IMMUTABLE = 'private, max-age=31536000, immutable';
const INLINE_KINDS = new Set(['image', 'video', 'audio']);

const Variant = z.enum(['thumb', 'preview']).optional();

/** `Content-Disposition` with an ASCII fallback name and the exact one in RFC 5987 `filename*`. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function sendFile(res: Response, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Range requests (seeking in audio and video) and conditional GETs come from `send`.
    res.sendFile(path, { cacheControl: false, dotfiles: 'allow', acceptRanges: true }, (error?: Error) => {
      if (!error) {
        resolve();
      } else if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !res.headersSent) {
        // The row exists but the file was removed with its message on another instance a moment ago.
        reject(new AppError('FILE_NOT_FOUND', 'The file was removed'));
      } else {
        reject(error);
      }
    });
  });
}

export function filesRouter(files: FileService): Router {
  const router = Router();

  /** POST /api/files: multipart upload of one file, stored as it arrives; answers UploadResponse (201). */
  router.post('/', async (req, res) => {
    const userId = currentUser(res).id;
    const declared = req.headers['content-length'];
    try {
      // Refused from the header alone: nothing of the body is read or stored.
      await files.checkDeclared(userId, declared === undefined ? null : Number(declared));
    } catch (error) {
      // The client has sent little yet: close after the answer rather than read what it announced.
      res.setHeader('Connection', 'close');
      throw error;
    }
    try {
      const file = await receiveFile(req, (stream, name, type) =>
        files.store(userId, { stream, name, claimedType: type }),
      );
      const body: UploadResponse = { file };
      res.status(201).json(body);
    } catch (error) {
      drainRefused(req);
      throw error;
    }
  });

  /**
   * PUT /api/files/:id/poster: multipart, one image part named `file`, the first frame of a video I uploaded and
   * have not sent yet (the web app draws it). Answers UploadResponse with the thumb and preview made from it.
   */
  router.put('/:id/poster', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    const userId = currentUser(res).id;
    try {
      const file = await receiveFile(req, (stream) => files.setPoster(userId, id, stream));
      const body: UploadResponse = { file };
      res.json(body);
    } catch (error) {
      drainRefused(req);
      throw error;
    }
  });

  /**
   * GET /api/files/:id (the original), /:id/thumb and /:id/preview (WebP renditions of images). `?download=1`
   * asks for `Content-Disposition: attachment` for any kind. FILE_NOT_FOUND (404) for anyone but the uploader
   * before the file is attached, and afterwards for anyone outside the message's room.
   */
  // A video with a poster has renditions too: served as WebP like an image's.
  router.get('/:id{/:variant}', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    const variant = validate(Variant, req.params.variant);
    const { file, path } = await files.open(currentUser(res).id, id, variant ?? 'original');
    const inline = INLINE_KINDS.has(file.kind) && req.query.download === undefined;
    res.setHeader('Content-Security-Policy', FILE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', IMMUTABLE);
    if (variant) {
      res.setHeader('Content-Type', 'image/webp');
      res.setHeader('Content-Disposition', contentDisposition('inline', `${file.name}.${variant}.webp`));
    } else {
      // Anything not shown inline is a download, served with the detected type (or octet-stream).
      res.setHeader('Content-Type', file.mime);
      res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', file.name));
    }
    await sendFile(res, path);
  });

  return router;
}
