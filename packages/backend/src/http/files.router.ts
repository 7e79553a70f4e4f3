import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { Id, type UploadResponse } from '@pychat/protocol';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import type { FileService } from '../services/file.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

/**
 * On every served file, whatever its type: a document opened from this path runs nothing and reaches nothing
 * (`sandbox` also gives it an opaque origin, so an HTML or SVG file that a browser renders anyway cannot read
 * Pychat's cookies or storage). Replaces the app's policy set by securityHeaders.
 */
const FILE_CSP = "default-src 'none'; sandbox";
/** The bytes behind an id never change (an edit removes or adds ids), so a fetched file is kept for a year. */
const IMMUTABLE = 'private, max-age=31536000, immutable';
const INLINE_KINDS = new Set(['image', 'video', 'audio']);

/** How long a refused upload's remaining body is read and dropped before the connection is cut. */
const DRAIN_MS = 10_000;

const Variant = z.enum(['thumb', 'preview']).optional();

/** `Content-Disposition` with an ASCII fallback name and the exact one in RFC 5987 `filename*`. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Reads one multipart part named `file` and hands its stream to `handle` while it arrives. A client that
 * disconnects mid-upload destroys the stream, so `handle` fails and removes what it wrote.
 */
function receiveFile<T>(
  req: IncomingMessage,
  handle: (stream: Readable, name: string | undefined, type: string) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: req.headers as Parameters<typeof Busboy>[0]['headers'],
        limits: { files: 1, fields: 0, parts: 2, headerPairs: 20 },
      });
    } catch {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with a part named "file"'));
      return;
    }
    let current: Readable | null = null;
    let handled = false;
    req.on('close', () => {
      if (!req.complete) {
        current?.destroy(new Error('client aborted the upload'));
        reject(new AppError('VALIDATION_FAILED', 'The upload was aborted'));
      }
    });
    parser.on('file', (field, stream, filename, _encoding, mimetype) => {
      if (field !== 'file' || handled) {
        stream.resume();
        return;
      }
      handled = true;
      current = stream;
      handle(stream, filename, mimetype).then(resolve, (error: unknown) => {
        req.unpipe(parser);
        req.resume();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    parser.on('finish', () => {
      if (!handled) {
        reject(new AppError('VALIDATION_FAILED', 'No part named "file" in the upload'));
      }
    });
    parser.on('error', (error: unknown) => {
      current?.destroy(error instanceof Error ? error : new Error(String(error)));
      reject(new AppError('VALIDATION_FAILED', 'The upload is not valid multipart/form-data'));
    });
    req.pipe(parser);
  });
}

function sendFile(res: Response, path: string): Promise<void> {
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
      // Refused mid-body (limit, quota): the rest is read and dropped, so the client, still sending, gets the
      // answer; closing at once would reset the connection and lose it. A client that keeps sending for long
      // after that is cut off.
      req.resume();
      setTimeout(() => {
        if (!req.complete) {
          req.socket.destroy();
        }
      }, DRAIN_MS).unref();
      throw error;
    }
  });

  /**
   * GET /api/files/:id (the original), /:id/thumb and /:id/preview (WebP renditions of images). `?download=1`
   * asks for `Content-Disposition: attachment` for any kind. FILE_NOT_FOUND (404) for anyone but the uploader
   * before the file is attached, and afterwards for anyone outside the message's room.
   */
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
