import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The stored forms of one upload: the original and, for images, two WebP renditions; a video may have a poster
 * (its first frame, sent by the uploader's browser) from which the same two renditions are made.
 */
export type Variant = 'original' | 'thumb' | 'preview' | 'poster';

const SUFFIX: Record<Variant, string> = {
  original: '',
  thumb: '.thumb.webp',
  preview: '.preview.webp',
  poster: '.poster',
};
const KEY = /^[0-9a-f]{32}$/;

/** Bytes kept from the start of every upload for type detection (file-type needs at most ~4 kB). */
const HEAD_BYTES = 4100;

/** The stream passed its byte limit: the partial file was removed. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * Files on disk, one flat directory (shared by every instance of one install): `<key>`, `<key>.thumb.webp`,
 * `<key>.preview.webp`. Keys are 128 random bits, never derived from a name the user chose. Files are 0600 and
 * the directory 0700, like the rest of the data dir.
 */
export class UploadStore {
  constructor(readonly dir: string) {}

  newKey(): string {
    return randomBytes(16).toString('hex');
  }

  path(key: string, variant: Variant = 'original'): string {
    if (!KEY.test(key)) {
      // Keys come from the database only; anything else is a bug, never a path to follow.
      throw new Error(`not a storage key: ${key.slice(0, 40)}`);
    }
    return join(this.dir, key + SUFFIX[variant]);
  }

  /**
   * Streams `source` to the original of `key` as it arrives (never held whole in memory), counting bytes:
   * past `maxBytes` the write stops with TooLargeError. On any failure (limit, client abort, disk full) the
   * partial file is removed before the error is rethrown. Returns the size and the first bytes for sniffing.
   * Never overwrites: a second write of the same variant fails with EEXIST.
   */
  async write(
    key: string,
    source: Readable,
    maxBytes: number,
    variant: Variant = 'original',
  ): Promise<{ size: number; head: Buffer }> {
    const target = this.path(key, variant);
    // Made on first use, not at start: an install that never receives a file gets no directory.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    let size = 0;
    const head: Buffer[] = [];
    let headBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(new TooLargeError(maxBytes));
          return;
        }
        if (headBytes < HEAD_BYTES) {
          const part = chunk.subarray(0, HEAD_BYTES - headBytes);
          head.push(part);
          headBytes += part.length;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      // Only what this write made: a poster's failure leaves its video alone, EEXIST leaves the first poster.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(target, { force: true });
      }
      throw error;
    }
    return { size, head: Buffer.concat(head) };
  }

  /** Removes every variant of these keys; a missing file is not an error (another instance may have won). */
  async remove(keys: string[]): Promise<void> {
    await Promise.all(
      keys.flatMap((key) =>
        (Object.keys(SUFFIX) as Variant[]).map((variant) => rm(this.path(key, variant), { force: true })),
      ),
    );
  }

  /** Removes some variants of one key, leaving the others (a poster that failed leaves its video). */
  async removeVariants(key: string, variants: Variant[]): Promise<void> {
    await Promise.all(variants.map((variant) => rm(this.path(key, variant), { force: true })));
  }

  /** Keys of originals last modified before `before` (ms): candidates for the collector. */
  async keysOlderThan(before: number): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const keys: string[] = [];
    for (const name of names.filter((n) => KEY.test(n))) {
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (info && info.mtimeMs < before) {
        keys.push(name);
      }
    }
    return keys;
  }
}
