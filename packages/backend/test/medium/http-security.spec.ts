import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { PROTOCOL_VERSION, SESSION_COOKIE, type AuthResponse } from '@pychat/protocol';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSigned, splitPem } from '../../src/tls';
import {
  createBackend,
  dialect,
  signUp,
  startServer,
  uniqueName,
  type SharedBackend,
  type TestServer,
} from './harness';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: { code?: string; message?: string } | null;
}

/** One raw request over http or https (self-signed accepted): any header, any body bytes. */
function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Answer['json'] = null;
          try {
            json = JSON.parse(text) as Answer['json'];
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | string[] | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of String(header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) {
      map.set(name, values);
    }
  }
  return map;
}

/** Opens a socket with the given Origin (and extra headers); resolves with the HTTP status of the answer. */
function upgradeStatus(url: string, token: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      rejectUnauthorized: false,
    });
    ws.once('upgrade', (res) => {
      ws.close();
      resolve(res.statusCode ?? 0);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

// Own setup, not useTestServer(): four servers on one backend (plain, two TLS, behind a proxy), one with a logger
// the tests read.
describe(`HTTP security edge (${dialect})`, () => {
  let backend: SharedBackend;
  /** Plain HTTP with a web app in PYCHAT_STATIC_DIR, logging into `logs`. */
  let server: TestServer;
  /** HTTPS with certificate files (the operator's certificate). */
  let tlsFiles: TestServer;
  /** HTTPS with the generated self-signed certificate (PYCHAT_TLS=auto). */
  let tlsSelfSigned: TestServer;
  /** Plain HTTP behind a trusted proxy (PYCHAT_TRUST_PROXY=loopback, the proxy on loopback). */
  let behindProxy: TestServer;
  const logs: { level: number; msg?: string; status?: number; path?: string }[] = [];
  const ALLOWED = 'https://app.example.org';

  beforeAll(async () => {
    backend = await createBackend();
    const dir = mkdtempSync(join(tmpdir(), 'pychat-sec-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pychat</title><div id="app"></div>');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          logs.push(JSON.parse(line) as (typeof logs)[number]);
        }
        done();
      },
    });
    server = await startServer(
      backend,
      { PYCHAT_STATIC_DIR: dir, PYCHAT_ALLOWED_ORIGINS: ALLOWED },
      { logger: pino({ level: 'debug' }, sink) },
    );
    const { cert, key } = splitPem(await generateSelfSigned());
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    tlsFiles = await startServer(backend, {
      PYCHAT_STATIC_DIR: dir,
      PYCHAT_TLS_CERT: join(dir, 'cert.pem'),
      PYCHAT_TLS_KEY: join(dir, 'key.pem'),
    });
    tlsSelfSigned = await startServer(backend, {
      PYCHAT_STATIC_DIR: dir,
      PYCHAT_TLS: 'auto',
      PYCHAT_DATA_DIR: join(dir, 'data'),
    });
    behindProxy = await startServer(backend, { PYCHAT_STATIC_DIR: dir, PYCHAT_TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await Promise.all([server, tlsFiles, tlsSelfSigned, behindProxy].map((s) => s?.stop()));
    await backend.drop();
  });

  describe('browser security headers', () => {
    it.each(['/', '/chat/1', '/api/health', '/api/nope'])(
      'answers %s with a strict CSP, frame, sniffing and referrer protection',
      async (path) => {
        const res = await send(`${server.url}${path}`);
        expect(res.status).toBeLessThan(500);
        const csp = directives(res.headers['content-security-policy']);
        expect(csp.get('default-src')).toEqual(["'none'"]);
        expect(csp.get('script-src')).toEqual(["'self'"]);
        expect(csp.get('style-src')).toEqual(["'self'"]);
        expect(csp.get('worker-src')).toEqual(["'self'"]);
        expect(csp.get('object-src')).toEqual(["'none'"]);
        expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
        // YouTube cards: the thumbnail host and, after a click, the privacy-enhanced player; no other outside
        // origin (GIFs are copied into uploads by the server, so no Giphy host is needed).
        expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://i.ytimg.com']);
        expect(csp.get('frame-src')).toEqual(['https://www.youtube-nocookie.com']);
        expect(csp.get('connect-src')).toEqual(
          expect.arrayContaining(["'self'", `ws://127.0.0.1:${server.pychat.port}`]),
        );
        expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-|\*/);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('same-origin');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      },
    );

    it('serves the web app shell (with the headers above) as HTML', async () => {
      const res = await send(`${server.url}/chat/1`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['content-security-policy']).toBeDefined();
    });

    it('does not echo a hostile Host header into the CSP', async () => {
      const res = await send(`${server.url}/`, { headers: { host: 'evil.example; script-src *' } });
      expect(directives(res.headers['content-security-policy']).get('script-src')).toEqual(["'self'"]);
      expect(String(res.headers['content-security-policy'])).not.toContain('evil');
    });

    it('answers every /api request with Cache-Control: no-store, authenticated reads and errors included', async () => {
      const { token } = await signUp(server);
      const auth = { authorization: `Bearer ${token}` };
      const answers = await Promise.all([
        send(`${server.url}/api/users/me`, { headers: auth }),
        send(`${server.url}/api/rooms`, { headers: auth }),
        send(`${server.url}/api/users/me`),
        send(`${server.url}/api/nope`),
        send(`${server.url}/api/health`),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 200]);
      for (const answer of answers) {
        expect(answer.headers['cache-control']).toBe('no-store');
      }
    });

    it("sends HSTS only over HTTPS with the operator's certificate, not with the self-signed one nor plain HTTP", async () => {
      const files = await send(`${tlsFiles.url}/`);
      expect(tlsFiles.url).toMatch(/^https:/);
      expect(files.status).toBe(200);
      expect(files.headers['strict-transport-security']).toBe('max-age=31536000');
      const selfSigned = await send(`${tlsSelfSigned.url}/`);
      expect(tlsSelfSigned.url).toMatch(/^https:/);
      expect(selfSigned.status).toBe(200);
      expect(selfSigned.headers['strict-transport-security']).toBeUndefined();
      expect((await send(`${server.url}/`)).headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('malformed bodies', () => {
    const username = () => uniqueName('m');
    it.each([
      [
        'an unsupported charset',
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        { 'content-type': 'application/json; charset=latin1' },
        () => JSON.stringify({ username: username(), password: 'secret-pw' }),
      ],
      [
        'an unknown Content-Encoding',
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        { 'content-type': 'application/json', 'content-encoding': 'compress' },
        () => JSON.stringify({ username: username(), password: 'secret-pw' }),
      ],
      [
        'a gzip body that is not gzip',
        400,
        'BAD_JSON',
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        () => Buffer.from('{"username": "not compressed at all"}'),
      ],
      [
        'a truncated gzip body',
        400,
        'BAD_JSON',
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        () => gzipSync(JSON.stringify({ username: username(), password: 'secret-pw' })).subarray(0, 12),
      ],
      ['invalid JSON', 400, 'BAD_JSON', { 'content-type': 'application/json' }, () => '{"username": '],
    ])('answers %s with %i %s, not 500', async (_name, status, code, headers, body) => {
      const before = logs.length;
      const res = await send(`${server.url}/api/auth/sign-up`, { method: 'POST', headers, body: body() });
      expect(res.status).toBe(status);
      expect(res.json?.code).toBe(code);
      expect(Object.keys(res.json ?? {}).sort()).toEqual(['code', 'message']);
      // A client's mistake is no server error: nothing at warn or above, no stack anywhere.
      const lines = logs.slice(before);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
      expect(JSON.stringify(lines)).not.toContain('"stack"');
      // The capture works: the access line of this very request is there.
      expect(lines.some((l) => l.status === status && l.path === '/api/auth/sign-up')).toBe(true);
    });

    it('still reads a correctly gzipped JSON body', async () => {
      const res = await send(`${server.url}/api/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify({ username: username(), password: 'secret-pw' })),
      });
      expect(res.status).toBe(201);
    });
  });

  describe('/metrics routing', () => {
    it('serves metrics at /metrics only: not at /metrics/, /METRICS or /Metrics', async () => {
      const exact = await send(`${server.url}/metrics`);
      expect(exact.status).toBe(200);
      expect(exact.text).toContain('pychat_info');
      for (const path of ['/metrics/', '/METRICS', '/Metrics', '/METRICS/']) {
        const res = await send(`${server.url}${path}`);
        expect(res.text, path).not.toContain('pychat_');
        expect(String(res.headers['content-type']), path).not.toContain('version=0.0.4');
      }
    });
  });

  describe('Origin checks', () => {
    const cookie = (token: string) => ({ cookie: `${SESSION_COOKIE}=${token}` });

    it.each(['http://evil.example', `http://127.0.0.1:1`, 'https://127.0.0.1', 'null'])(
      'refuses a sign-out by cookie from %s with 403 FORBIDDEN, and the session lives on',
      async (origin) => {
        const { token } = await signUp(server);
        const res = await send(`${server.url}/api/auth/sign-out`, {
          method: 'POST',
          headers: { ...cookie(token), origin },
        });
        expect(res.status).toBe(403);
        expect(res.json?.code).toBe('FORBIDDEN');
        expect((await send(`${server.url}/api/users/me`, { headers: cookie(token) })).status).toBe(200);
      },
    );

    it('signs out from its own origin', async () => {
      const { token } = await signUp(server);
      const res = await send(`${server.url}/api/auth/sign-out`, {
        method: 'POST',
        headers: { ...cookie(token), origin: server.url },
      });
      expect(res.status).toBe(204);
      expect((await send(`${server.url}/api/users/me`, { headers: cookie(token) })).status).toBe(401);
    });

    it('lets requests without Origin through (curl, other servers) and origins in PYCHAT_ALLOWED_ORIGINS', async () => {
      const plain = await postJson(`${server.url}/api/auth/sign-up`, {
        username: uniqueName('o'),
        password: 'pw-12345',
      });
      expect(plain.status).toBe(201);
      const allowed = await postJson(
        `${server.url}/api/auth/sign-up`,
        { username: uniqueName('o'), password: 'pw-12345' },
        { origin: ALLOWED },
      );
      expect(allowed.status).toBe(201);
    });

    it('refuses cross-origin sign-in and sign-up (no login CSRF) but not cross-origin reads', async () => {
      const username = uniqueName('x');
      const signUpRes = await postJson(
        `${server.url}/api/auth/sign-up`,
        { username, password: 'pw-12345' },
        { origin: 'http://evil.example' },
      );
      expect(signUpRes.status).toBe(403);
      const { user } = (await signUp(server, username)) satisfies AuthResponse;
      expect(user.username).toBe(username);
      const signIn = await postJson(
        `${server.url}/api/auth/sign-in`,
        { login: username, password: 'secret-pw' },
        { origin: 'http://evil.example' },
      );
      expect(signIn.status).toBe(403);
      // A read carries no state change; the browser's same-origin policy keeps its answer from the other page.
      const read = await send(`${server.url}/api/health`, { headers: { origin: 'http://evil.example' } });
      expect(read.status).toBe(200);
    });

    it('refuses a WebSocket from http://host when the server is https://host, and takes https://host', async () => {
      const { token } = (await postJson(`${tlsFiles.url}/api/auth/sign-up`, {
        username: uniqueName('w'),
        password: 'secret-pw',
      }).then((r) => r.json)) as unknown as AuthResponse;
      const port = tlsFiles.pychat.port;
      const url = `wss://127.0.0.1:${port}/ws?v=${PROTOCOL_VERSION}`;
      expect(await upgradeStatus(url, token, { origin: `http://127.0.0.1:${port}` })).toBe(403);
      expect(await upgradeStatus(url, token, { origin: `https://127.0.0.1:${port}` })).toBe(101);
      expect(await upgradeStatus(url, token, { origin: `https://127.0.0.1:${port + 1}` })).toBe(403);
    });

    it('behind a trusted proxy, takes the scheme from X-Forwarded-Proto; without trust, ignores it', async () => {
      const proxied = await signUp(behindProxy);
      const port = behindProxy.pychat.port;
      const url = `ws://127.0.0.1:${port}/ws?v=${PROTOCOL_VERSION}`;
      const https = { origin: `https://127.0.0.1:${port}`, 'x-forwarded-proto': 'https' };
      expect(await upgradeStatus(url, proxied.token, https)).toBe(101);
      expect(await upgradeStatus(url, proxied.token, { ...https, origin: `http://127.0.0.1:${port}` })).toBe(403);

      const direct = await signUp(server);
      const directUrl = `ws://127.0.0.1:${server.pychat.port}/ws?v=${PROTOCOL_VERSION}`;
      const forged = { origin: `https://127.0.0.1:${server.pychat.port}`, 'x-forwarded-proto': 'https' };
      expect(await upgradeStatus(directUrl, direct.token, forged)).toBe(403);
      expect(await upgradeStatus(directUrl, direct.token, { origin: `http://127.0.0.1:${server.pychat.port}` })).toBe(
        101,
      );
    });
  });
});
