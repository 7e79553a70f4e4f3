import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/config';
import { createRedirectServer, ensureSelfSigned, loadTls, SELF_SIGNED_FILE, splitPem } from './tls';

const tmp = () => mkdtempSync(join(tmpdir(), 'pychat-tls-'));

describe('TLS configuration', () => {
  it('serves plain HTTP by default, self-signed with PYCHAT_TLS=auto, given files when set', () => {
    expect(loadConfig({}).tls).toBeNull();
    expect(loadConfig({}).auth.cookieSecure).toBe(false);
    const auto = loadConfig({ PYCHAT_TLS: 'auto', PYCHAT_DATA_DIR: '/data' });
    expect(auto.tls).toEqual({ source: 'self-signed', dir: '/data/tls' });
    expect(auto.auth.cookieSecure).toBe(true);
    expect(loadConfig({ PYCHAT_TLS: 'auto', PYCHAT_COOKIE_SECURE: 'false' }).auth.cookieSecure).toBe(false);
    const files = loadConfig({ PYCHAT_TLS_CERT: '/etc/c.pem', PYCHAT_TLS_KEY: '/etc/k.pem', PYCHAT_TLS_KEY_X: '' });
    expect(files.tls).toEqual({ source: 'files', cert: '/etc/c.pem', key: '/etc/k.pem' });
  });

  it('treats empty variables as unset and refuses half a certificate', () => {
    expect(loadConfig({ PYCHAT_TLS_CERT: '', PYCHAT_TLS_KEY: '', PYCHAT_HTTP_REDIRECT_PORT: '' }).tls).toBeNull();
    expect(() => loadConfig({ PYCHAT_TLS_CERT: '/etc/c.pem' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ PYCHAT_METRICS_TOKEN: 'short' })).toThrow(/PYCHAT_METRICS_TOKEN/);
    expect(() => loadConfig({ PYCHAT_TLS: 'on' })).toThrow(/PYCHAT_TLS/);
  });
});

describe(ensureSelfSigned.name, () => {
  it('makes one bundle on first use, reuses it, and agrees when several instances race', async () => {
    const dir = tmp();
    const [a, b] = await Promise.all([ensureSelfSigned(dir), ensureSelfSigned(dir)]);
    expect(a.source).toBe('self-signed');
    expect(a.fingerprint256).toBe(b.fingerprint256);
    const again = await ensureSelfSigned(dir);
    expect(again.fingerprint256).toBe(a.fingerprint256);
    const pem = readFileSync(join(dir, SELF_SIGNED_FILE), 'utf8');
    const { key, cert } = splitPem(pem);
    expect(key).toContain('PRIVATE KEY');
    expect(cert).toContain('BEGIN CERTIFICATE');
    expect(a.validTo.getTime() - Date.now()).toBeGreaterThan(800 * 86_400_000);
  });

  it('replaces a certificate that expires within 30 days', async () => {
    const dir = tmp();
    const first = await ensureSelfSigned(dir);
    const later = new Date(first.validTo.getTime() - 10 * 86_400_000);
    const renewed = await ensureSelfSigned(dir, later);
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256);
  });
});

describe(loadTls.name, () => {
  it('explains unreadable, mismatched and missing files in plain words', async () => {
    const dir = tmp();
    await expect(loadTls({ source: 'files', cert: join(dir, 'nope.pem'), key: join(dir, 'k.pem') })).rejects.toThrow(
      /PYCHAT_TLS_CERT .*nope\.pem: cannot read it \(no such file\)/,
    );
    const one = splitPem(readFileSync(join((await ensureSelfSigned(join(dir, 'a'))).path), 'utf8'));
    const two = splitPem(readFileSync(join((await ensureSelfSigned(join(dir, 'b'))).path), 'utf8'));
    writeFileSync(join(dir, 'cert.pem'), one.cert);
    writeFileSync(join(dir, 'key.pem'), two.key);
    await expect(loadTls({ source: 'files', cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') })).rejects.toThrow(
      /does not belong to the certificate/,
    );
    writeFileSync(join(dir, 'key.pem'), one.key);
    const ok = await loadTls({ source: 'files', cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
    expect(ok?.source).toBe('files');
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    await expect(loadTls({ source: 'files', cert: join(dir, 'junk.pem'), key: join(dir, 'key.pem') })).rejects.toThrow(
      /no readable PEM certificate/,
    );
  });
});

describe(createRedirectServer.name, () => {
  const redirectOf = async (host: string | undefined, httpsPort: number) => {
    const server = createRedirectServer(httpsPort);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise<{ status: number; location: string }>((ok, fail) => {
        const req = request({ port, host: '127.0.0.1', path: '/room/1?x=2', headers: host ? { host } : {} }, (res) => {
          res.resume();
          ok({ status: res.statusCode ?? 0, location: String(res.headers.location) });
        });
        req.on('error', fail);
        req.end();
      });
    } finally {
      server.close();
    }
  };

  it('sends every request to the same host over HTTPS, keeping path and query', async () => {
    expect(await redirectOf('chat.example.com', 443)).toEqual({
      status: 308,
      location: 'https://chat.example.com/room/1?x=2',
    });
    expect(await redirectOf('192.168.1.5:80', 8443)).toEqual({
      status: 308,
      location: 'https://192.168.1.5:8443/room/1?x=2',
    });
    expect(await redirectOf('[::1]:80', 443)).toEqual({ status: 308, location: 'https://[::1]/room/1?x=2' });
    expect((await redirectOf('evil"/><script>', 443)).location).toBe('https://localhost/room/1?x=2');
  });
});
