import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadResponse, type AttachmentDto } from '@pychat/protocol';
import { sleep, waitUntil } from '@pychat/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedUser, dialect, useTestServer, type ConnectedUser } from './harness';

const MIB = 1024 * 1024;
const uploadDir = mkdtempSync(join(tmpdir(), 'pychat-uploads-'));

/** POST /api/files through fetch's own multipart encoding, as a browser sends it. */
async function upload(
  url: string,
  token: string,
  file: { name: string; type?: string; data: Buffer },
): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? '' }), file.name);
  const res = await fetch(`${url}/api/files`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function uploaded(url: string, token: string, file: { name: string; type?: string; data: Buffer }) {
  const res = await upload(url, token, file);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return UploadResponse.parse(res.body).file;
}

async function fetchFile(url: string, path: string, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The originals and renditions on disk. */
function storedFiles(): string[] {
  return existsSync(uploadDir) ? readdirSync(uploadDir) : [];
}

const BOUNDARY = '----pychat-spec-boundary';
const partHead = (name: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
  'Content-Type: application/octet-stream\r\n\r\n';

/**
 * A hand-driven multipart upload over a plain socket: headers (with a Content-Length or chunked), then chunks
 * written on demand, so a spec can tell "refused before the body arrived" and "the client went away". Not
 * node:http's client: it drops a response that arrives while it is still writing (EPIPE).
 */
function rawUpload(url: string, token: string, contentLength: number | null) {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  const chunked = contentLength === null;
  let received = '';
  let settle: (answer: { status: number; body: string }) => void;
  const response = new Promise<{ status: number; body: string }>((resolve) => (settle = resolve));
  const parse = () => {
    const [head = '', body = ''] = received.split('\r\n\r\n');
    return {
      status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
      body,
      length: /content-length: (\d+)/i.exec(head),
    };
  };
  socket.on('data', (data: Buffer) => {
    received += data.toString('utf8');
    const answer = parse();
    if (answer.length && Buffer.byteLength(answer.body) >= Number(answer.length[1])) {
      settle(answer);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => settle(parse()));
  socket.write(
    `POST /api/files HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${contentLength}\r\n`) +
      '\r\n',
  );
  return {
    write(data: string | Buffer): void {
      const bytes = Buffer.from(data);
      socket.write(
        chunked ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]) : bytes,
      );
    },
    get answered(): boolean {
      return received.length > 0;
    },
    destroy: () => socket.destroy(),
    response,
  };
}

describe(`uploads (${dialect})`, () => {
  const ctx = useTestServer({
    PYCHAT_UPLOAD_DIR: uploadDir,
    PYCHAT_UPLOAD_MAX_MB: '1',
    PYCHAT_UPLOAD_QUOTA_MB: '2',
  });
  let alice: ConnectedUser;
  let bob: ConnectedUser;
  let carol: ConnectedUser;
  let directId: number;

  beforeAll(async () => {
    // Not ctx.user(): those sockets close after each test, these serve the whole file.
    [alice, bob, carol] = [
      await connectedUser(ctx.server),
      await connectedUser(ctx.server),
      await connectedUser(ctx.server),
    ];
    ({
      room: { id: directId },
    } = await alice.client.request('room.createDirect', { userId: bob.user.id }));
  });
  afterAll(async () => {
    await Promise.all([alice, bob, carol].map((u) => u?.client.close()));
    rmSync(uploadDir, { recursive: true, force: true });
  });

  /** A JPEG 40×20 whose EXIF says "rotate 90°" and carries a copyright note that must not survive. */
  const rotatedJpeg = () =>
    sharp({ create: { width: 40, height: 20, channels: 3, background: '#c00' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-exif-note' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();

  it('stores an image with its original, a WebP thumbnail and preview, EXIF applied and stripped', async () => {
    const data = await rotatedJpeg();
    const file = await uploaded(ctx.server.url, alice.token, { name: 'photo.jpg', type: 'image/jpeg', data });
    expect(file).toMatchObject({ kind: 'image', mime: 'image/jpeg', name: 'photo.jpg', size: data.length });
    // Orientation 6: the stored size is what a viewer shows, portrait.
    expect([file.width, file.height]).toEqual([20, 40]);

    const original = await fetchFile(ctx.server.url, file.url, alice.token);
    expect(original.res.status).toBe(200);
    expect(original.bytes.equals(data)).toBe(true);
    expect(original.res.headers.get('content-type')).toBe('image/jpeg');
    expect(original.res.headers.get('cache-control')).toContain('immutable');

    const thumb = await fetchFile(ctx.server.url, file.thumbnailUrl!, alice.token);
    expect(thumb.res.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(thumb.bytes).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect(meta.exif).toBeUndefined();
    expect(thumb.bytes.includes('secret-exif-note')).toBe(false);
    const preview = await fetchFile(ctx.server.url, file.previewUrl!, alice.token);
    expect(preview.bytes.includes('secret-exif-note')).toBe(false);
    expect((await sharp(preview.bytes).metadata()).format).toBe('webp');
  });

  it('answers Range requests with 206 and the asked bytes', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    const file = await uploaded(ctx.server.url, alice.token, { name: 'n.txt', data });
    const part = await fetchFile(ctx.server.url, file.url, alice.token, { range: 'bytes=5-9' });
    expect(part.res.status).toBe(206);
    expect(part.bytes.toString()).toBe('56789');
    expect(part.res.headers.get('content-range')).toBe(`bytes 5-9/${data.length}`);
  });

  it('types files by their content: HTML named x.png is a download with nosniff and a sandbox CSP', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const file = await uploaded(ctx.server.url, alice.token, { name: 'x.png', type: 'image/png', data: html });
    expect(file).toMatchObject({ kind: 'file', mime: 'application/octet-stream', thumbnailUrl: null });
    const { res } = await fetchFile(ctx.server.url, file.url, alice.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="x.png"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it('never serves an SVG inline, even when the browser called it image/svg+xml', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/users/me")</script><rect width="5" height="5"/></svg>',
    );
    const file = await uploaded(ctx.server.url, alice.token, { name: 'logo.svg', type: 'image/svg+xml', data: svg });
    expect(file.kind).toBe('file');
    const { res } = await fetchFile(ctx.server.url, file.url, alice.token);
    expect(res.headers.get('content-type')).not.toContain('svg');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    // The thumbnail path does not exist for it either.
    expect((await fetchFile(ctx.server.url, `${file.url}/thumb`, alice.token)).res.status).toBe(404);
  });

  it('refuses a declared Content-Length over PYCHAT_UPLOAD_MAX_MB before reading the body', async () => {
    const before = storedFiles().length;
    const upload = rawUpload(ctx.server.url, alice.token, 3 * MIB);
    upload.write(partHead('big.bin'));
    // Only the headers and a part head were sent: the answer comes anyway, nothing was stored.
    const answer = await upload.response;
    upload.destroy();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(storedFiles()).toHaveLength(before);
  });

  it('counts the bytes of a chunked upload and removes the partial file past the limit', async () => {
    const before = storedFiles().length;
    const upload = rawUpload(ctx.server.url, alice.token, null);
    upload.write(partHead('big.bin'));
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let sent = 0; sent < 3 * MIB && !upload.answered; sent += chunk.length) {
      upload.write(chunk);
      await sleep(1);
    }
    const final = await upload.response;
    upload.destroy();
    expect(final.status).toBe(413);
    expect(JSON.parse(final.body)).toMatchObject({ code: 'FILE_TOO_LARGE' });
    await waitUntil('partial file removed', async () => storedFiles().length === before, 5_000);
  });

  it('refuses an upload past the per-user quota, counting what the user already stored', async () => {
    const user = await ctx.user();
    const almostOneMib = Buffer.alloc(MIB - 100 * 1024, 1);
    await uploaded(ctx.server.url, user.token, { name: 'a.bin', data: almostOneMib });
    await uploaded(ctx.server.url, user.token, { name: 'b.bin', data: almostOneMib });
    const third = await upload(ctx.server.url, user.token, { name: 'c.bin', data: almostOneMib });
    expect(third.status).toBe(413);
    expect(third.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    // Another user's quota is untouched.
    await uploaded(ctx.server.url, carol.token, { name: 'c.bin', data: Buffer.alloc(1000, 2) });
  });

  it('removes the partial file when the client aborts mid-upload', async () => {
    const before = new Set(storedFiles());
    const upload = rawUpload(ctx.server.url, alice.token, null);
    upload.write(partHead('aborted.bin'));
    upload.write(Buffer.alloc(200 * 1024, 3));
    const partial = await waitUntil(
      'the partial file on disk',
      async () => storedFiles().find((name) => !before.has(name) && statSync(join(uploadDir, name)).size > 0),
      5_000,
    );
    upload.destroy();
    await waitUntil('the partial file removed', async () => !existsSync(join(uploadDir, partial)), 5_000);
  });

  describe('video posters', () => {
    /** The EBML header of a WebM file: file-type calls it video/webm. */
    const webm = () =>
      Buffer.concat([
        Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442858102', 'hex'),
        Buffer.alloc(256),
      ]);
    const frame = () =>
      sharp({ create: { width: 64, height: 36, channels: 3, background: '#0a0' } })
        .jpeg()
        .toBuffer();

    async function putPoster(fileId: number, token: string, data: Buffer) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), 'poster.jpg');
      const res = await fetch(`${ctx.server.url}/api/files/${fileId}/poster`, {
        method: 'PUT',
        body: form,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as { code?: string; file?: AttachmentDto } };
    }

    it("the uploader sets a video's poster once before sending; members then see its thumb and preview", async () => {
      const video = await uploaded(ctx.server.url, alice.token, {
        name: 'clip.webm',
        type: 'video/webm',
        data: webm(),
      });
      expect(video).toMatchObject({ kind: 'video', thumbnailUrl: null, previewUrl: null });
      // Bob cannot set (or probe) alice's upload.
      expect(await putPoster(video.id, bob.token, await frame())).toMatchObject({
        status: 404,
        body: { code: 'FILE_NOT_FOUND' },
      });

      const set = await putPoster(video.id, alice.token, await frame());
      expect(set.status).toBe(200);
      const withPoster = UploadResponse.parse(set.body).file;
      expect(withPoster).toMatchObject({
        id: video.id,
        kind: 'video',
        width: 64,
        height: 36,
        thumbnailUrl: `/api/files/${video.id}/thumb`,
        previewUrl: `/api/files/${video.id}/preview`,
      });
      // The frame itself is not kept, only the renditions.
      expect(storedFiles().filter((name) => name.endsWith('.poster'))).toEqual([]);
      // Once only: nobody sees a poster change.
      expect(await putPoster(video.id, alice.token, await frame())).toMatchObject({
        status: 409,
        body: { code: 'INVALID_OPERATION' },
      });

      const { message } = await alice.client.request('message.send', {
        roomId: directId,
        content: '',
        localId: `poster-${Math.random()}`,
        attachments: [video.id],
      });
      expect(message.attachments[0]).toMatchObject({ thumbnailUrl: `/api/files/${video.id}/thumb` });
      const thumb = await fetchFile(ctx.server.url, `/api/files/${video.id}/thumb`, bob.token);
      expect(thumb.res.status).toBe(200);
      expect(thumb.res.headers.get('content-type')).toBe('image/webp');
      expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 64, height: 36 });
      // Sent: the file is no longer an upload of alice's to change.
      expect(await putPoster(video.id, alice.token, await frame())).toMatchObject({
        status: 404,
        body: { code: 'FILE_NOT_FOUND' },
      });
    });

    it('refuses a poster for what is not a video, and one that is not an image, keeping the video', async () => {
      const image = await uploaded(ctx.server.url, alice.token, { name: 'p.jpg', data: await frame() });
      expect(await putPoster(image.id, alice.token, await frame())).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
      const before = new Set(storedFiles());
      const video = await uploaded(ctx.server.url, alice.token, { name: 'v.webm', type: 'video/webm', data: webm() });
      const added = storedFiles().filter((name) => !before.has(name));
      expect(added).toHaveLength(1);
      expect(await putPoster(video.id, alice.token, Buffer.from('<svg onload="alert(1)"/>'))).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
      expect(storedFiles().filter((name) => !before.has(name))).toEqual(added);
      expect((await fetchFile(ctx.server.url, `/api/files/${video.id}/thumb`, alice.token)).res.status).toBe(404);
      expect((await fetchFile(ctx.server.url, video.url, alice.token)).bytes).toEqual(webm());
    });
  });

  describe('attached to messages', () => {
    async function send(user: ConnectedUser, roomId: number, attachments: number[], content = '') {
      return user.client.request('message.send', { roomId, content, localId: `l${Math.random()}`, attachments });
    }

    it('lets only the uploader fetch an unattached file, then only members of the message room', async () => {
      const file = await uploaded(ctx.server.url, alice.token, {
        name: 'doc.pdf',
        data: Buffer.from('%PDF-1.4\n%%EOF\n'),
      });
      expect(file).toMatchObject({ kind: 'file', mime: 'application/pdf' });
      expect((await fetchFile(ctx.server.url, file.url, bob.token)).res.status).toBe(404);

      const { message } = await send(alice, directId, [file.id]);
      // Attachments only: no text.
      expect(message.content).toBe('');
      expect(message.attachments.map((a: AttachmentDto) => a.id)).toEqual([file.id]);
      const received = await bob.client.waitFor('message.new', (d) => d.message.id === message.id);
      expect(received.message.attachments[0]).toMatchObject({ id: file.id, name: 'doc.pdf', kind: 'file' });

      const asBob = await fetchFile(ctx.server.url, file.url, bob.token);
      expect(asBob.res.status).toBe(200);
      expect(asBob.bytes.toString()).toBe('%PDF-1.4\n%%EOF\n');
      expect(asBob.res.headers.get('content-disposition')).toMatch(/^attachment;/);
      const asCarol = await fetchFile(ctx.server.url, file.url, carol.token);
      expect(asCarol.res.status).toBe(404);
      expect(JSON.parse(asCarol.bytes.toString())).toMatchObject({ code: 'FILE_NOT_FOUND' });
      // History carries the attachments too.
      const history = await bob.client.request('message.history', { roomId: directId });
      expect(history.messages.find((m) => m.id === message.id)?.attachments).toHaveLength(1);
    });

    it("refuses someone else's upload, an upload attached twice, and an empty message", async () => {
      const bobs = await uploaded(ctx.server.url, bob.token, { name: 'b.txt', data: Buffer.from('bob') });
      expect(
        await alice.client.requestError('message.send', {
          roomId: directId,
          content: 'steal',
          localId: 'steal-1',
          attachments: [bobs.id],
        }),
      ).toMatchObject({ code: 'FILE_NOT_FOUND' });
      // Nothing was stored for the refused send: the same localId is free.
      const mine = await uploaded(ctx.server.url, alice.token, { name: 'a.txt', data: Buffer.from('alice') });
      await alice.client.request('message.send', {
        roomId: directId,
        content: 'ok',
        localId: 'steal-1',
        attachments: [mine.id],
      });
      expect(
        await alice.client.requestError('message.send', {
          roomId: directId,
          content: 'again',
          localId: 'again-1',
          attachments: [mine.id],
        }),
      ).toMatchObject({ code: 'FILE_NOT_FOUND' });
      expect(
        await alice.client.requestError('message.send', { roomId: directId, content: '', localId: 'empty-1' }),
      ).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('an edit keeps, adds and removes attachments; removed files leave the disk', async () => {
      const a = await uploaded(ctx.server.url, alice.token, { name: 'a.txt', data: Buffer.from('aaa') });
      const b = await uploaded(ctx.server.url, alice.token, { name: 'b.txt', data: Buffer.from('bbb') });
      const c = await uploaded(ctx.server.url, alice.token, { name: 'c.txt', data: Buffer.from('ccc') });
      const { message } = await send(alice, directId, [a.id, b.id], 'two files');
      const { message: edited } = await alice.client.request('message.edit', {
        messageId: message.id,
        content: 'two files',
        attachments: [c.id, a.id],
      });
      expect(edited.attachments.map((f) => f.id)).toEqual([c.id, a.id]);
      expect((await fetchFile(ctx.server.url, b.url, alice.token)).res.status).toBe(404);
      expect(storedFiles().length).toBeGreaterThan(0);
      // Removing the last attachment of a message without text is refused: delete it instead.
      const d = await uploaded(ctx.server.url, alice.token, { name: 'd.txt', data: Buffer.from('d') });
      const { message: bare } = await send(alice, directId, [d.id]);
      expect(
        await alice.client.requestError('message.edit', { messageId: bare.id, content: '', attachments: [] }),
      ).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('deleting a message removes its files from the disk and from every reader', async () => {
      const image = await uploaded(ctx.server.url, alice.token, { name: 'p.jpg', data: await rotatedJpeg() });
      const before = storedFiles().length;
      const { message } = await send(alice, directId, [image.id]);
      expect((await fetchFile(ctx.server.url, image.thumbnailUrl!, bob.token)).res.status).toBe(200);
      const { message: deleted } = await alice.client.request('message.delete', { messageId: message.id });
      expect(deleted.attachments).toEqual([]);
      // Original, thumbnail and preview.
      expect(storedFiles()).toHaveLength(before - 3);
      expect((await fetchFile(ctx.server.url, image.url, bob.token)).res.status).toBe(404);
      expect((await fetchFile(ctx.server.url, image.url, alice.token)).res.status).toBe(404);
    });
  });
});
