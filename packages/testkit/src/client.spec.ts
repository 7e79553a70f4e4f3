import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { RequestError, SocketClosedError, TestClient } from './client';

/**
 * The client against a stand-in server: session.ready on connect, a reply to session.ping, an error for
 * anything else, and a close when asked (`room.leave`). Only the client's own behaviour is under test here;
 * the real server is the medium and e2e suites' business.
 */
describe('TestClient', () => {
  let wss: WebSocketServer;
  let wsUrl: string;
  const upgrades: IncomingMessage[] = [];

  beforeAll(async () => {
    wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      verifyClient: ({ req }, done) => done(req.headers.authorization !== 'Bearer refused', 401),
    });
    await new Promise<void>((ok) => wss.once('listening', () => ok()));
    wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws?v=1`;
    wss.on('connection', (socket: WebSocket, req) => {
      upgrades.push(req);
      socket.send(JSON.stringify({ type: 'session.ready', data: { serverTime: 1 } }));
      socket.on('message', (raw: Buffer) => {
        const { type, id } = JSON.parse(raw.toString()) as { type: string; id: number };
        if (type === 'session.ping') {
          socket.send(JSON.stringify({ type: 'reply', replyTo: id, data: {} }));
        } else if (type === 'room.leave') {
          socket.close(4000, 'asked to');
        } else {
          socket.send(JSON.stringify({ type: 'error', replyTo: id, data: { code: 'NOT_FOUND', message: 'no' } }));
        }
      });
    });
  });
  afterAll(async () => {
    await new Promise<void>((ok) => wss.close(() => ok()));
  });

  it('connects with the token, the options on the URL and headers, and keeps session.ready', async () => {
    const client = await TestClient.connect({ wsUrl }, 'tok', {
      usersSince: 42,
      headers: { 'x-forwarded-for': '10.0.0.1' },
      origin: 'http://app.example',
    });
    const req = upgrades.at(-1);
    expect(req?.url).toBe('/ws?v=1&usersSince=42');
    expect(req?.headers).toMatchObject({
      authorization: 'Bearer tok',
      'x-forwarded-for': '10.0.0.1',
      origin: 'http://app.example',
    });
    expect(client.ready).toEqual({ serverTime: 1 });
    await client.close();
    expect(client.closed?.code).toBe(1005);
  });

  it('rejects a refused upgrade with its status', async () => {
    await expect(TestClient.connect({ wsUrl }, 'refused')).rejects.toThrow('upgrade refused: 401');
  });

  it('resolves replies and turns error frames into RequestError with the body', async () => {
    const client = await TestClient.connect({ wsUrl }, 'tok');
    await expect(client.request('session.ping', {})).resolves.toEqual({});
    const failed = client.request('room.delete', { roomId: 1 });
    await expect(failed).rejects.toBeInstanceOf(RequestError);
    await expect(failed).rejects.toThrow('NOT_FOUND: no');
    expect(await client.requestError('room.delete', { roomId: 1 })).toEqual({ code: 'NOT_FOUND', message: 'no' });
    await expect(client.requestError('session.ping', {})).rejects.toThrow('session.ping was expected to fail');
    await client.close();
  });

  it('takes only an answer that arrives after the request, not an older frame with the same replyTo', async () => {
    const client = await TestClient.connect({ wsUrl }, 'tok');
    // A raw frame with the id the next request will use (as fuzzing sends): the server answers it with an error.
    client.sendRaw(JSON.stringify({ type: 'room.delete', id: 1, data: {} }));
    await client.waitFor((f) => f.type === 'error');
    await expect(client.request('session.ping', {})).resolves.toEqual({});
    await client.close();
  });

  it('finds frames already received, and times out on one that never comes', async () => {
    const client = await TestClient.connect({ wsUrl }, 'tok', { timeoutMs: 200 });
    await expect(client.waitFor('session.ready')).resolves.toEqual({ serverTime: 1 });
    await expect(client.waitFor('message.new')).rejects.toThrow('timed out after 200 ms waiting for message.new');
    await client.close();
  });

  it('fails pending waits as soon as the socket closes, and later ones at once', async () => {
    const client = await TestClient.connect({ wsUrl }, 'tok');
    const pending = client.waitFor('message.new', undefined, 60_000);
    const started = Date.now();
    const answer = client.request('room.leave', { roomId: 1 });
    await expect(answer).rejects.toBeInstanceOf(SocketClosedError);
    await expect(pending).rejects.toThrow('socket closed (4000 asked to) while waiting for message.new');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.closed).toEqual({ code: 4000, reason: 'asked to' });
    await expect(client.settle()).rejects.toBeInstanceOf(SocketClosedError);
  });
});
