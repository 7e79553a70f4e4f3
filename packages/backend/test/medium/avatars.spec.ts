import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorBody, UserDto, UsersResponse } from '@pychat/protocol';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { api, dialect, useTestServer } from './harness';

const uploadDir = mkdtempSync(join(tmpdir(), 'pychat-avatars-'));

/** POST /api/users/me/avatar as the web app sends the cropped blob. */
async function postAvatar(url: string, token: string | null, data: Buffer, type = 'image/png') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), 'avatar.png');
  const res = await fetch(`${url}/api/users/me/avatar`, {
    method: 'POST',
    body: form,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function get(url: string, path: string, token: string | null) {
  const res = await fetch(`${url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const png = (width: number, height: number, background = '#0a0') =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

describe(`avatars (${dialect})`, () => {
  const t = useTestServer({ PYCHAT_UPLOAD_DIR: uploadDir });
  afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

  it('stores a 128×128 WebP thumbnail that another user gets live in user.updated and can fetch, cached immutably', async () => {
    const alice = await t.user();
    const bob = await t.user();

    const res = await postAvatar(t.server.url, alice.token, await png(300, 200));

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const url = (res.body as UserDto).thumbnail;
    expect(url).toMatch(new RegExp(`^/api/users/${alice.user.id}/avatar/[0-9a-f]{32}$`));
    const seen = await bob.client.waitFor('user.updated', (d) => d.user.id === alice.user.id);
    expect(seen.user.thumbnail).toBe(url);
    const thumb = await get(t.server.url, url!, bob.token);
    expect(thumb.res.status).toBe(200);
    expect(thumb.res.headers.get('content-type')).toBe('image/webp');
    expect(thumb.res.headers.get('cache-control')).toContain('immutable');
    const meta = await sharp(thumb.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 128, height: 128 });
    const original = await get(t.server.url, `${url}/original`, bob.token);
    expect(original.res.headers.get('content-type')).toBe('image/png');
    expect(await sharp(original.bytes).metadata()).toMatchObject({ width: 300, height: 200 });
    // A reconnecting client's directory carries it too.
    const directory = await api<UsersResponse>(t.server, 'GET', '/api/users', undefined, bob.token);
    expect(directory.body.users.find((u) => u.id === alice.user.id)?.thumbnail).toBe(url);
  });

  it('refuses a file that is not an image and keeps nothing of it', async () => {
    const alice = await t.user();
    const before = readdirSync(join(uploadDir, 'avatars')).length;

    const res = await postAvatar(t.server.url, alice.token, Buffer.from('<svg onload="alert(1)"></svg>'), 'image/png');

    expect(res.status).toBe(415);
    expect((res.body as ErrorBody).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(readdirSync(join(uploadDir, 'avatars'))).toHaveLength(before);
    const me = await api<UserDto>(t.server, 'GET', '/api/users/me', undefined, alice.token);
    expect(me.body.thumbnail).toBeNull();
  });

  it('gives a signed-out request 401 for both the upload and the picture', async () => {
    const alice = await t.user();
    const { body } = await postAvatar(t.server.url, alice.token, await png(64, 64));
    const url = (body as UserDto).thumbnail!;

    expect((await postAvatar(t.server.url, null, await png(64, 64))).status).toBe(401);
    expect((await get(t.server.url, url, null)).res.status).toBe(401);
  });

  it('a new avatar changes the URL and the old one stops being served; delete clears it for everyone', async () => {
    const alice = await t.user();
    const bob = await t.user();
    const first = ((await postAvatar(t.server.url, alice.token, await png(64, 64))).body as UserDto).thumbnail!;
    const second = ((await postAvatar(t.server.url, alice.token, await png(64, 64, '#00f'))).body as UserDto)
      .thumbnail!;

    expect(second).not.toBe(first);
    expect((await get(t.server.url, first, bob.token)).res.status).toBe(404);

    const cleared = await api<UserDto>(t.server, 'DELETE', '/api/users/me/avatar', undefined, alice.token);
    expect(cleared.body.thumbnail).toBeNull();
    await bob.client.waitFor('user.updated', (d) => d.user.id === alice.user.id && d.user.thumbnail === null);
    expect((await get(t.server.url, second, bob.token)).res.status).toBe(404);
    const me = await api<UserDto>(t.server, 'GET', '/api/users/me', undefined, alice.token);
    expect(me.body.thumbnail).toBeNull();
  });
});
