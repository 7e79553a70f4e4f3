import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { AppError } from '../errors';

/** How long a refused upload's remaining body is read and dropped before the connection is cut. */
const DRAIN_MS = 10_000;

/**
 * Reads one multipart part named `file` and hands its stream to `handle` while it arrives. A client that
 * disconnects mid-upload destroys the stream, so `handle` fails and removes what it wrote.
 */
export function receiveFile<T>(
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

/**
 * After an upload was refused mid-body (limit, quota, not an image): the rest is read and dropped, so the
 * client, still sending, gets the answer; closing at once would reset the connection and lose it. A client that
 * keeps sending for long after that is cut off.
 */
export function drainRefused(req: IncomingMessage): void {
  req.resume();
  setTimeout(() => {
    if (!req.complete) {
      req.socket.destroy();
    }
  }, DRAIN_MS).unref();
}
