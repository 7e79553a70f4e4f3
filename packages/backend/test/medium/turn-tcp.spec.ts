import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { freeUdpPort } from '@pychat/testkit';
import NodeTurn from 'node-turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { startTurnServer, type TurnServer } from '../../src/turn/turn-server';

/**
 * The bundled TURN server's TCP transport (patches/node-turn@0.0.6.patch): how it cuts a byte stream into STUN
 * messages (framed by their header length) and ChannelData messages (padded to 4 bytes over TCP). Binding
 * requests need no credentials, so each frame's effect is its answer; allocations over TCP are exercised with
 * coturn's client in packages/e2e/src/turn.spec.ts.
 */
const MAGIC_COOKIE = 0x2112a442;

function turnConfig(port: number, tcp: boolean): Config['turn'] {
  return {
    enabled: true,
    port,
    tcp,
    listenIps: ['127.0.0.1'],
    relayIps: [],
    externalIp: null,
    allowLoopbackPeers: true,
    deniedPeers: [],
    minPort: 62000,
    maxPort: 62049,
    secret: null,
    realm: 'pychat',
    urls: [],
    credentialTtlS: 600,
  };
}

/** A STUN Binding request (20-byte header, no attributes) and its transaction id. */
function bindingRequest(): { frame: Buffer; id: string } {
  const frame = Buffer.alloc(20);
  frame.writeUInt16BE(0x0001, 0);
  frame.writeUInt16BE(0, 2);
  frame.writeUInt32BE(MAGIC_COOKIE, 4);
  randomBytes(12).copy(frame, 8);
  return { frame, id: frame.toString('hex', 8, 20) };
}

/** ChannelData on an unbound channel with `length` bytes, padded to a multiple of 4 as TCP requires. */
function channelData(length: number): Buffer {
  const padded = length + ((4 - (length % 4)) % 4);
  const frame = Buffer.alloc(4 + padded);
  frame.writeUInt16BE(0x4001, 0);
  frame.writeUInt16BE(length, 2);
  frame.fill(0xab, 4, 4 + length);
  return frame;
}

/** A TCP client reading the server's STUN answers off the stream; `ids` lists the Binding successes' ids. */
class StreamClient {
  readonly ids: string[] = [];
  closed = false;
  #pending = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      while (this.#pending.length >= 20 && this.#pending.length >= 20 + this.#pending.readUInt16BE(2)) {
        const length = 20 + this.#pending.readUInt16BE(2);
        if (this.#pending.readUInt16BE(0) === 0x0101) {
          this.ids.push(this.#pending.toString('hex', 8, 20));
        }
        this.#pending = this.#pending.subarray(length);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static open(port: number): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new StreamClient(socket)));
      socket.once('error', reject);
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) {
      wake();
    }
  }

  /** Resolves once `done()` holds; rejects after `ms`. */
  async until(what: string, done: () => boolean, ms = 3_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what} (answers: ${this.ids.length}, closed: ${this.closed})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  write(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (error) => (error ? reject(error) : resolve())));
  }
}

/** One Binding request over UDP: true when answered within a second. */
function udpBinding(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const { frame, id } = bindingRequest();
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, 1_000);
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) === 0x0101 && reply.toString('hex', 8, 20) === id) {
        clearTimeout(timer);
        socket.close();
        resolve(true);
      }
    });
    socket.send(frame, port, '127.0.0.1');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bundled TURN server over TCP: framing', () => {
  let turn: TurnServer;
  let port: number;
  const clients: StreamClient[] = [];
  const open = async () => {
    const client = await StreamClient.open(port);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    port = await freeUdpPort();
    turn = await startTurnServer(turnConfig(port, true), 'turn-tcp-spec-secret-0123', createLogger('silent', 'tcp'));
  });
  afterAll(() => {
    clients.forEach((c) => c.socket.destroy());
    turn?.stop();
  });

  it('listens on TCP on the UDP port', () => {
    expect(turn.tcpAddresses).toEqual([`127.0.0.1:${port}`]);
  });

  it('answers a STUN message split across TCP chunks, even inside its 4-byte head', async () => {
    const client = await open();
    const { frame, id } = bindingRequest();
    for (const [from, to] of [
      [0, 2],
      [2, 7],
      [7, 19],
      [19, 20],
    ]) {
      await client.write(frame.subarray(from, to));
      await sleep(30);
      if (to < 20) {
        expect(client.ids).toEqual([]);
      }
    }
    await client.until('the answer', () => client.ids.length === 1);
    expect(client.ids).toEqual([id]);
    expect(client.closed).toBe(false);
  });

  it('answers every STUN message of one chunk, in order, past padded ChannelData between them', async () => {
    const client = await open();
    const first = bindingRequest();
    const second = bindingRequest();
    const third = bindingRequest();
    // 5 and 2 data bytes: 3 and 2 bytes of padding the server must skip to find the next header.
    await client.write(Buffer.concat([first.frame, channelData(5), second.frame, channelData(2), third.frame]));
    await client.until('three answers', () => client.ids.length === 3);
    expect(client.ids).toEqual([first.id, second.id, third.id]);
    expect(client.closed).toBe(false);
  });

  it('closes only the connection that sends something neither STUN nor ChannelData', async () => {
    const bystander = await open();
    const garbled = await open();
    const { frame } = bindingRequest();
    // A TLS ClientHello (a turns: client on the plain port): its length field is no multiple of 4.
    const clientHello = Buffer.from('160301020001000200fc0303', 'hex');
    await garbled.write(Buffer.concat([clientHello, randomBytes(32), frame]));
    await garbled.until('the server to close the connection', () => garbled.closed);
    expect(garbled.ids).toEqual([]);

    // The same for a STUN-looking header with a wrong magic cookie, then a valid message in the same chunk.
    const badCookie = await open();
    const forged = bindingRequest().frame;
    forged.writeUInt32BE(0xdeadbeef, 4);
    await badCookie.write(Buffer.concat([forged, frame]));
    await badCookie.until('the server to close the connection', () => badCookie.closed);
    expect(badCookie.ids).toEqual([]);

    // And for bytes whose top two bits are 1x, which start neither kind of message.
    const noise = await open();
    await noise.write(Buffer.concat([Buffer.from([0xff, 0x00, 0x00, 0x00]), frame]));
    await noise.until('the server to close the connection', () => noise.closed);
    expect(noise.ids).toEqual([]);

    // Everyone else is still served: an open connection, a new one and UDP.
    const later = bindingRequest();
    await bystander.write(later.frame);
    await bystander.until('the answer', () => bystander.ids.length === 1);
    expect(bystander.ids).toEqual([later.id]);
    const fresh = await open();
    await fresh.write(bindingRequest().frame);
    await fresh.until('the answer', () => fresh.ids.length === 1);
    expect(await udpBinding(port)).toBe(true);
  });

  it('survives a client that closes mid-frame or resets the connection', async () => {
    const halfway = await open();
    await halfway.write(bindingRequest().frame.subarray(0, 10));
    halfway.socket.end();
    const reset = await open();
    await reset.write(bindingRequest().frame);
    reset.socket.resetAndDestroy();
    await sleep(100);
    const client = await open();
    const { frame, id } = bindingRequest();
    await client.write(frame);
    await client.until('the answer', () => client.ids.length === 1);
    expect(client.ids).toEqual([id]);
  });
});

describe('bundled TURN server with PYCHAT_TURN_TCP=false', () => {
  it('leaves the TCP port alone (another program may hold it) and still answers over UDP', async () => {
    const port = await freeUdpPort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const turn = await startTurnServer(
      turnConfig(port, false),
      'turn-tcp-spec-secret-0123',
      createLogger('silent', 'x'),
    );
    try {
      expect(turn.tcpAddresses).toEqual([]);
      expect(await udpBinding(port)).toBe(true);
    } finally {
      turn.stop();
      holder.close();
    }
  });
});

describe('bundled TURN server over TCP: idle connections', () => {
  it('closes a connection that has not allocated after tcpIdleTimeout, and answers it until then', async () => {
    const port = await freeUdpPort();
    const server = new NodeTurn({ listeningPort: port, listeningIps: ['127.0.0.1'], tcpIdleTimeout: 400 });
    server.start();
    await new Promise((resolve) => server.network.tcpServers[0].once('listening', resolve));
    try {
      const client = await StreamClient.open(port);
      const { frame, id } = bindingRequest();
      await client.write(frame);
      await client.until('the answer', () => client.ids.length === 1);
      expect(client.ids).toEqual([id]);
      expect(client.closed).toBe(false);
      await client.until('the server to close the idle connection', () => client.closed, 3_000);
    } finally {
      server.stop();
    }
  });
});
