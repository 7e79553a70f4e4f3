import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GifListResponse, SessionResponse, UploadResponse } from '@pychat/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  connectedUser,
  createBackend,
  dialect,
  startServer,
  type ConnectedUser,
  type SharedBackend,
  type TestServer,
} from './harness';

const KEY = 'stand-in-secret-giphy-key-4711';

/**
 * A local stand-in of Giphy's API: GET /v1/gifs/search, /v1/gifs/trending and /v1/gifs/<id> with the JSON shape
 * Giphy documents (data[].images.fixed_width_small / downsized / original), and the image files it points at.
 * It records every request, so a test can tell what reached "the provider" and from whom.
 */
class GiphyStandIn {
  readonly requests: IncomingMessage[] = [];
  /** Answer every API request with this status instead (the provider failing). */
  failWith: number | null = null;
  private server!: Server;
  url = '';

  constructor(readonly gif: Buffer) {}

  item(id: string, title: string) {
    const image = (name: string) => ({ url: `${this.url}/media/${id}/${name}.gif`, width: '100', height: '80' });
    return {
      type: 'gif',
      id,
      title,
      images: {
        fixed_width_small: image('100w'),
        fixed_width: image('200w'),
        downsized: image('downsized'),
        original: image('giphy'),
      },
    };
  }

  /** `port`: listen where a stopped stand-in was, so the server's configured URL reaches it again. */
  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req);
      const url = new URL(req.url ?? '/', this.url);
      if (url.pathname.startsWith('/media/')) {
        res.writeHead(200, { 'content-type': 'image/gif' }).end(this.gif);
        return;
      }
      if (this.failWith !== null) {
        res.writeHead(this.failWith, { 'content-type': 'application/json' }).end('{"message":"down"}');
        return;
      }
      if (url.searchParams.get('api_key') !== KEY) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
        return;
      }
      const json = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/v1/gifs/trending') {
        json({
          data: [this.item('trend1', 'Trending one'), this.item('trend2', 'Trending two')],
          meta: { status: 200 },
        });
      } else if (url.pathname === '/v1/gifs/search') {
        const q = url.searchParams.get('q') ?? '';
        json({ data: [this.item(`cat${q.length}`, `A ${q}`)], pagination: { count: 1, offset: 0 } });
      } else if (/^\/v1\/gifs\/\w+$/.test(url.pathname)) {
        json({ data: this.item(url.pathname.split('/')[3] ?? '', 'By id') });
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  apiRequests(): string[] {
    return this.requests.map((r) => r.url ?? '').filter((u) => u.startsWith('/v1/'));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

// Own setup, not useTestServer(): the stand-in's port must be known before the server's env is made, and a second
// server without a key shares the database.
describe(`GIF picker through the server (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;
  let disabled: TestServer;
  let giphy: GiphyStandIn;
  let gifBytes: Buffer;
  let alice: ConnectedUser;

  beforeAll(async () => {
    gifBytes = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#e33' } })
      .gif()
      .toBuffer();
    giphy = new GiphyStandIn(gifBytes);
    await giphy.start();
    backend = await createBackend();
    const uploads = mkdtempSync(join(tmpdir(), 'pychat-gifs-'));
    server = await startServer(backend, {
      PYCHAT_GIPHY_API_KEY: KEY,
      PYCHAT_GIPHY_API_URL: giphy.url,
      PYCHAT_GIPHY_MAX_PER_MIN: '8',
      PYCHAT_UPLOAD_DIR: uploads,
    });
    disabled = await startServer(backend, { PYCHAT_UPLOAD_DIR: uploads });
    alice = await connectedUser(server);
  });

  afterAll(async () => {
    await alice?.client.close();
    await server?.stop();
    await disabled?.stop();
    await backend?.drop();
    await giphy?.stop();
  });

  beforeEach(() => {
    giphy.requests.length = 0;
    giphy.failWith = null;
  });

  it('tells the web app whether GIFs are on, and answers GIFS_DISABLED without a key', async () => {
    const on = await api<SessionResponse>(server, 'GET', '/api/auth/session');
    expect(on.body.features.gifs).toBe(true);
    const off = await api<SessionResponse>(disabled, 'GET', '/api/auth/session');
    expect(off.body.features.gifs).toBe(false);
    const user = await connectedUser(disabled);
    const res = await api(disabled, 'GET', '/api/gifs/trending', undefined, user.token);
    expect(res).toMatchObject({ status: 404, body: { code: 'GIFS_DISABLED' } });
    await user.client.close();
  });

  it('lists trending and search results with previews served by Pychat, the key never in an answer', async () => {
    const trending = await api(server, 'GET', '/api/gifs/trending', undefined, alice.token);
    expect(trending.status).toBe(200);
    const list = GifListResponse.parse(trending.body);
    expect(list.gifs.map((g) => g.id)).toEqual(['trend1', 'trend2']);
    expect(list.gifs[0]).toMatchObject({ title: 'Trending one', width: 100, height: 80 });
    expect(list.gifs[0]?.previewUrl).toBe('/api/gifs/trend1/preview');

    const search = await api(server, 'GET', '/api/gifs/search?q=cats', undefined, alice.token);
    expect(GifListResponse.parse(search.body).gifs.map((g) => g.id)).toEqual(['cat4']);
    // The provider's addresses and the key stay on the server.
    for (const body of [trending.body, search.body]) {
      expect(JSON.stringify(body)).not.toContain(KEY);
      expect(JSON.stringify(body)).not.toContain(giphy.url);
    }

    const preview = await fetch(`${server.url}/api/gifs/trend1/preview`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await preview.arrayBuffer()).equals(gifBytes)).toBe(true);
    // Only the server talked to the provider (the user's address and cookie never went there).
    expect(giphy.requests.every((r) => r.headers.cookie === undefined && r.headers.authorization === undefined)).toBe(
      true,
    );
  });

  it('caches a list briefly: the same search twice asks the provider once', async () => {
    await api(server, 'GET', '/api/gifs/search?q=dogs', undefined, alice.token);
    await api(server, 'GET', '/api/gifs/search?q=Dogs', undefined, alice.token);
    expect(giphy.apiRequests().filter((u) => u.startsWith('/v1/gifs/search'))).toHaveLength(1);
  });

  it('copies a chosen GIF into uploads and sends it as an attachment', async () => {
    const bob = await connectedUser(server);
    const roomId = (await alice.client.request('room.createDirect', { userId: bob.user.id })).room.id;
    const picked = await api(server, 'POST', '/api/gifs/trend2/attach', undefined, alice.token);
    expect(picked.status, JSON.stringify(picked.body)).toBe(201);
    const file = UploadResponse.parse(picked.body).file;
    expect(file).toMatchObject({ kind: 'image', mime: 'image/gif', name: 'Trending two.gif', width: 8, height: 6 });
    await alice.client.request('message.send', { roomId, content: '', localId: 'gif-1', attachments: [file.id] });
    const served = await fetch(`${server.url}${file.url}`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(Buffer.from(await served.arrayBuffer()).equals(gifBytes)).toBe(true);
    // bob reads the message from Pychat: the GIF's bytes come from uploads, not the provider.
    const seen = await fetch(`${server.url}${file.url}`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(seen.status).toBe(200);
    await bob.client.close();
  });

  it('answers a search with an empty query as VALIDATION_FAILED without asking the provider', async () => {
    const res = await api(server, 'GET', '/api/gifs/search?q=%20', undefined, alice.token);
    expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(giphy.apiRequests()).toEqual([]);
  });

  it('says clearly when the provider is down or refuses, without leaking the key', async () => {
    giphy.failWith = 500;
    const res = await api<{ code: string; message: string }>(
      server,
      'GET',
      '/api/gifs/search?q=provider-down',
      undefined,
      alice.token,
    );
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('GIF_PROVIDER_FAILED');
    expect(JSON.stringify(res.body)).not.toContain(KEY);

    await giphy.stop();
    try {
      const down = await api(server, 'GET', '/api/gifs/search?q=unreachable', undefined, alice.token);
      expect(down).toMatchObject({ status: 502, body: { code: 'GIF_PROVIDER_FAILED' } });
    } finally {
      await giphy.start(Number(new URL(giphy.url).port));
    }
  });

  it("limits each user's GIF requests per minute with RATE_LIMITED and a retry time", async () => {
    const bob = await connectedUser(server);
    const statuses: number[] = [];
    let last: { status: number; body: { code?: string; retryAfterMs?: number } } | undefined;
    for (let i = 0; i < 10; i += 1) {
      last = await api(server, 'GET', `/api/gifs/search?q=limit${i}`, undefined, bob.token);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
    expect(last?.body.code).toBe('RATE_LIMITED');
    expect(last?.body.retryAfterMs).toBeGreaterThan(0);
    // Another user's budget is their own.
    expect((await api(server, 'GET', '/api/gifs/trending', undefined, alice.token)).status).toBe(200);
    await bob.client.close();
  });
});
