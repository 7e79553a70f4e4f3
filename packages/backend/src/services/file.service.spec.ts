import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadedFileEntity } from '../entities';
import { FileRepository } from '../repositories/file.repository';
import { detectType } from '../storage/media';
import { UploadStore } from '../storage/upload-store';
import { automock } from '../../test/service';
import { AccessService } from './access.service';
import { cleanFileName, FileService, UNATTACHED_TTL_MS } from './file.service';

const NOW = 10 * UNATTACHED_TTL_MS;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup(clock: () => number = () => NOW) {
  const dir = mkdtempSync(join(tmpdir(), 'pychat-files-'));
  dirs.push(dir);
  const files = automock(FileRepository);
  const store = new UploadStore(dir);
  const sut = new FileService(
    files,
    store,
    automock(AccessService),
    { maxBytes: 1000, quotaBytes: null },
    clock,
    pino({ level: 'silent' }),
  );
  /** A stored original, last modified `ageMs` ago. */
  const stored = (ageMs: number) => {
    const key = store.newKey();
    writeFileSync(store.path(key), 'x');
    const when = (Date.now() - ageMs) / 1000;
    utimesSync(store.path(key), when, when);
    return key;
  };
  return { sut, files, store, stored };
}

describe('FileService.collect', () => {
  it('removes uploads nobody attached within a day, row and file, and keeps the rest', async () => {
    const { sut, files, store, stored } = setup();
    const staleKey = stored(0);
    const stale = { id: 4, storageKey: staleKey } as UploadedFileEntity;
    files.unattachedBefore.mockResolvedValueOnce([stale]).mockResolvedValueOnce([]);
    files.knownKeys.mockResolvedValue(new Set());

    expect(await sut.collect()).toBe(1);

    expect(files.unattachedBefore).toHaveBeenCalledWith(NOW - UNATTACHED_TTL_MS, 500);
    expect(files.deleteByIds).toHaveBeenCalledWith([4]);
    expect(existsSync(store.path(staleKey))).toBe(false);
  });

  it('removes old files no row names (a failed unlink), but not young ones or those with a row', async () => {
    // File ages come from the disk: this collector runs on the real clock.
    const { sut, files, store, stored } = setup(Date.now);
    files.unattachedBefore.mockResolvedValue([]);
    const orphan = stored(2 * UNATTACHED_TTL_MS);
    const named = stored(2 * UNATTACHED_TTL_MS);
    // Being written right now by another instance, its row not inserted yet.
    const young = stored(0);
    files.knownKeys.mockImplementation(async (keys) => new Set(keys.filter((k) => k === named)));

    expect(await sut.collect()).toBe(1);

    expect(existsSync(store.path(orphan))).toBe(false);
    expect(existsSync(store.path(named))).toBe(true);
    expect(existsSync(store.path(young))).toBe(true);
  });
});

describe('detectType', () => {
  it('takes the kind from the bytes, and the claim only to tell a voice recording from a video', async () => {
    const webm = Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442858102', 'hex');
    expect(await detectType(webm, 'audio/webm')).toEqual({ kind: 'audio', mime: 'audio/webm' });
    expect(await detectType(webm, 'video/webm')).toEqual({ kind: 'video', mime: 'video/webm' });
    expect(await detectType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml')).toEqual({
      kind: 'file',
      mime: 'application/octet-stream',
    });
    // An image claim does not make a PDF an image.
    expect(await detectType(Buffer.from('%PDF-1.4\n'), 'image/png')).toEqual({ kind: 'file', mime: 'application/pdf' });
  });
});

describe('cleanFileName', () => {
  it('keeps the last path segment without control characters, and the extension when cutting', () => {
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\r\nb.txt')).toBe('ab.txt');
    expect(cleanFileName('..')).toBe('file');
    const long = cleanFileName(`${'x'.repeat(300)}.jpeg`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('.jpeg')).toBe(true);
  });
});
