import { request } from 'node:http';
import { IceServersResponse } from '@pychat/protocol';
import { freeUdpPort } from '@pychat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTurnCredentials } from '../../src/turn/credentials';
import { createBackend, dialect, signUp, startServer, type SharedBackend, type TestServer } from './harness';

const SECRET = 'ice-spec-secret-0123456789';
const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';

/** GET with a chosen Host header (fetch would not send it). */
function getIce(server: TestServer, host: string, token?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/api/ice-servers`,
      { headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe(`GET /api/ice-servers (${dialect})`, () => {
  let backend: SharedBackend;
  let bundled: TestServer;
  let external: TestServer;
  let turnPort: number;

  beforeAll(async () => {
    backend = await createBackend();
    turnPort = await freeUdpPort();
    bundled = await startServer(backend, {
      PYCHAT_TURN: 'on',
      PYCHAT_TURN_PORT: String(turnPort),
      PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
      PYCHAT_TURN_SECRET: SECRET,
      PYCHAT_TURN_CREDENTIAL_TTL_S: '600',
    });
    external = await startServer(backend, {
      PYCHAT_TURN_URLS: 'turn:turn.example.net:3478?transport=udp, turns:turn.example.net:5349?transport=tcp',
      PYCHAT_TURN_SECRET: SECRET,
      PYCHAT_SCREEN_CAST_EXTENSION_ID: EXTENSION_ID,
    });
  });
  afterAll(async () => {
    await bundled?.stop();
    await external?.stop();
    await backend?.drop();
  });

  it('answers 401 UNAUTHENTICATED without a session, with no credentials', async () => {
    const res = await getIce(bundled, 'chat.example.org');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(res.body)).not.toContain('credential');
  });

  it('gives the bundled server on the page host with REST credentials that verify against the secret', async () => {
    const { token, user } = await signUp(bundled);
    const before = Math.floor(Date.now() / 1000);
    const res = await getIce(bundled, `chat.example.org:${bundled.pychat.port}`, token);
    expect(res.status).toBe(200);
    const body = IceServersResponse.parse(res.body);
    expect(body.ttlS).toBe(600);
    expect(body.iceServers).toHaveLength(1);
    const [server] = body.iceServers;
    expect(server.urls).toEqual([
      `stun:chat.example.org:${turnPort}`,
      `turn:chat.example.org:${turnPort}?transport=udp`,
      `turn:chat.example.org:${turnPort}?transport=tcp`,
    ]);
    const [expiry, userId] = server.username!.split(':');
    expect(Number(userId)).toBe(user.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 600);
    expect(verifyTurnCredentials(SECRET, server.username!, server.credential!, Date.now())).toBe(true);
    // Another secret (a forged credential) and the time after expiry both fail.
    expect(verifyTurnCredentials(`${SECRET}x`, server.username!, server.credential!, Date.now())).toBe(false);
    expect(verifyTurnCredentials(SECRET, server.username!, server.credential!, Number(expiry) * 1000 + 1)).toBe(false);
  });

  it('follows another Host header (IPv6 literal too), so one install serves every name it is reached by', async () => {
    const { token } = await signUp(bundled);
    for (const [host, expected] of [
      ['10.1.2.3', '10.1.2.3'],
      ['[::1]:8080', '[::1]'],
    ]) {
      const body = IceServersResponse.parse((await getIce(bundled, host, token)).body);
      expect(body.iceServers[0].urls[1]).toBe(`turn:${expected}:${turnPort}?transport=udp`);
    }
  });

  it('leaves the TCP URL out with PYCHAT_TURN_TCP=false (the bundled server does not listen on TCP then)', async () => {
    const port = await freeUdpPort();
    const udpOnly = await startServer(backend, {
      PYCHAT_TURN: 'on',
      PYCHAT_TURN_PORT: String(port),
      PYCHAT_TURN_TCP: 'false',
      PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
      PYCHAT_TURN_SECRET: SECRET,
    });
    try {
      const { token } = await signUp(udpOnly);
      const body = IceServersResponse.parse((await getIce(udpOnly, 'chat.example.org', token)).body);
      expect(body.iceServers[0].urls).toEqual([
        `stun:chat.example.org:${port}`,
        `turn:chat.example.org:${port}?transport=udp`,
      ]);
    } finally {
      await udpOnly.stop();
    }
  });

  it('refuses a Host header that is not a host name with 400 VALIDATION_FAILED', async () => {
    const { token } = await signUp(bundled);
    const res = await getIce(bundled, 'evil.example?transport=tcp', token);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives PYCHAT_TURN_URLS as they are, whatever the Host header, with credentials for the same secret', async () => {
    const { token } = await signUp(external);
    const body = IceServersResponse.parse((await getIce(external, 'chat.example.org', token)).body);
    expect(body.iceServers).toHaveLength(1);
    expect(body.iceServers[0].urls).toEqual([
      'turn:turn.example.net:3478?transport=udp',
      'turns:turn.example.net:5349?transport=tcp',
    ]);
    expect(
      verifyTurnCredentials(SECRET, body.iceServers[0].username!, body.iceServers[0].credential!, Date.now()),
    ).toBe(true);
  });

  it('names the screen-sharing extension only where PYCHAT_SCREEN_CAST_EXTENSION_ID is set', async () => {
    const withId = IceServersResponse.parse(
      (await getIce(external, 'chat.example.org', (await signUp(external)).token)).body,
    );
    expect(withId.screenCastExtensionId).toBe(EXTENSION_ID);
    const without = IceServersResponse.parse(
      (await getIce(bundled, 'chat.example.org', (await signUp(bundled)).token)).body,
    );
    expect(without).not.toHaveProperty('screenCastExtensionId');
  });
});
