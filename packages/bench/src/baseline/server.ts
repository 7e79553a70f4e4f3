/**
 * The two baselines Pychat is measured against, one program:
 *
 * - raw `ws` broadcast (default): no auth, no persistence; each `message.new` is serialized once and
 *   written to every socket of the room;
 * - the same with every message passed through Redis PUBLISH/SUBSCRIBE (`--redis redis://…`), so several
 *   instances form one server, as Pychat does with its Redis bus.
 *
 * It answers the frames the load driver sends with the same shapes as Pychat (session.ready first,
 * `reply`/`error` with `replyTo`, `message.new {message, localId}`), so the driver, the frame sizes and the
 * client-side costs are the same for all three servers. Clients say who they are and which rooms they are
 * in through the URL: `/ws?v=1&user=7&rooms=3,4`.
 *
 * Usage: node dist/baseline/server.js --port 9001 [--redis redis://127.0.0.1:6400 --channel bench:x --instance 1]
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

interface Options {
  port: number;
  host: string;
  redis: string | null;
  channel: string;
  instance: number;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    port: Number(get('port') ?? 0),
    host: get('host') ?? '127.0.0.1',
    redis: get('redis') ?? null,
    channel: get('channel') ?? 'bench:baseline',
    instance: Number(get('instance') ?? 0),
  };
}

interface Conn {
  ws: WebSocket;
  user: number;
  rooms: Set<number>;
}

interface MessageDto {
  id: number;
  roomId: number;
  senderId: number;
  content: string;
  parentId: null;
  threadCount: number;
  mentions: number[];
  createdAt: number;
  editedAt: null;
  deleted: boolean;
}

/** Recent messages per room, so message.sync after a reconnect has something to answer (memory only). */
const RING_SIZE = 200;
const P_ID = '{"type":"message.new","data":{"message":{"id":'.length;

const options = parseOptions(process.argv.slice(2));
const byRoom = new Map<number, Set<Conn>>();
const rings = new Map<number, { id: number; frame: string }[]>();
let counter = 0;
let connections = 0;

/** Unique across instances (instance number in the low bits), increasing within one instance. */
function nextId(): number {
  return ++counter * 16 + options.instance;
}

/** Writes one pre-serialized frame to every local socket of the room. */
function deliver(roomId: number, frame: string): void {
  const ring = rings.get(roomId) ?? [];
  ring.push({ id: parseInt(frame.slice(P_ID, P_ID + 20), 10), frame });
  if (ring.length > RING_SIZE) {
    ring.shift();
  }
  rings.set(roomId, ring);
  const members = byRoom.get(roomId);
  if (members) {
    for (const conn of members) {
      conn.ws.send(frame);
    }
  }
}

let pub: Redis | null = null;
let sub: Redis | null = null;
if (options.redis) {
  pub = new Redis(options.redis, { lazyConnect: true });
  sub = new Redis(options.redis, { lazyConnect: true });
  sub.on('message', (_channel: string, message: string) => {
    const newline = message.indexOf('\n');
    deliver(Number(message.slice(0, newline)), message.slice(newline + 1));
  });
}

function send(conn: Conn, frame: unknown): void {
  conn.ws.send(JSON.stringify(frame));
}

function onFrame(conn: Conn, raw: Buffer): void {
  let frame: { type?: string; id?: number; data?: Record<string, unknown> };
  try {
    frame = JSON.parse(raw.toString('utf8')) as typeof frame;
  } catch {
    send(conn, { type: 'error', data: { code: 'BAD_JSON', message: 'Frame is not valid JSON' } });
    return;
  }
  const id = frame.id;
  const data = frame.data ?? {};
  const reply = (body: unknown) => {
    if (id !== undefined) {
      send(conn, { type: 'reply', replyTo: id, data: body });
    }
  };
  const fail = (code: string, message: string) =>
    send(
      conn,
      id === undefined
        ? { type: 'error', data: { code, message } }
        : { type: 'error', replyTo: id, data: { code, message } },
    );
  switch (frame.type ?? '') {
    case 'message.send': {
      const roomId = Number(data.roomId);
      if (!conn.rooms.has(roomId)) {
        return fail('ROOM_NOT_FOUND', `Room ${roomId} does not exist or you are not a member`);
      }
      const now = Date.now();
      const message: MessageDto = {
        id: nextId(),
        roomId,
        senderId: conn.user,
        content: String(data.content),
        parentId: null,
        threadCount: 0,
        mentions: [],
        createdAt: now,
        editedAt: null,
        deleted: false,
      };
      // Serialized once for every recipient, as Pychat's fan-out does.
      const out = JSON.stringify({ type: 'message.new', data: { message, localId: data.localId } });
      if (pub) {
        pub.publish(options.channel, `${roomId}\n${out}`).then(
          () => reply({ message, duplicate: false }),
          () => fail('UNAVAILABLE', 'Redis is unreachable'),
        );
      } else {
        deliver(roomId, out);
        reply({ message, duplicate: false });
      }
      return;
    }
    case 'message.sync': {
      const wanted = (data.rooms ?? []) as { roomId: number; lastMessageId: number }[];
      const rooms = wanted
        .filter((w) => conn.rooms.has(w.roomId))
        .map((w) => ({
          roomId: w.roomId,
          messages: (rings.get(w.roomId) ?? [])
            .filter((m) => m.id > w.lastMessageId)
            .map((m) => (JSON.parse(m.frame) as { data: { message: MessageDto } }).data.message),
          gap: false,
        }));
      const removedRoomIds = wanted.filter((w) => !conn.rooms.has(w.roomId)).map((w) => w.roomId);
      return reply({ serverTime: Date.now(), rooms, removedRoomIds });
    }
    case 'message.history': {
      // No storage: a synthetic page, so the transport and serialization floor can be compared.
      const roomId = Number(data.roomId);
      if (!conn.rooms.has(roomId)) {
        return fail('ROOM_NOT_FOUND', `Room ${roomId} does not exist or you are not a member`);
      }
      const limit = Number(data.limit ?? 50);
      const before = Number(data.beforeId ?? 1_000_001);
      const messages: MessageDto[] = [];
      for (let i = Math.max(1, before - limit); i < before; i++) {
        messages.push({
          id: i,
          roomId,
          senderId: conn.user,
          content: `history message ${i} `.padEnd(100, 'x'),
          parentId: null,
          threadCount: 0,
          mentions: [],
          createdAt: 1_700_000_000_000 + i,
          editedAt: null,
          deleted: false,
        });
      }
      return reply({ messages, hasMore: before - limit > 1 });
    }
    case 'session.ping':
      return reply({ serverTime: Date.now() });
    default:
      return fail('UNKNOWN_TYPE', `Unknown frame type "${String(frame.type).slice(0, 64)}"`);
  }
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
const server = createServer((req, res) => {
  if (req.url === '/api/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, connections, bus: pub ? 'redis' : 'memory' }));
    return;
  }
  res.writeHead(404).end();
});

server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  const user = Number(url.searchParams.get('user') ?? 0);
  const rooms = new Set((url.searchParams.get('rooms') ?? '').split(',').filter(Boolean).map(Number));
  wss.handleUpgrade(req, socket, head, (ws) => {
    const conn: Conn = { ws, user, rooms };
    connections++;
    for (const roomId of rooms) {
      let set = byRoom.get(roomId);
      if (!set) {
        set = new Set();
        byRoom.set(roomId, set);
      }
      set.add(conn);
    }
    ws.on('message', (raw: Buffer) => onFrame(conn, raw));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      connections--;
      for (const roomId of rooms) {
        byRoom.get(roomId)?.delete(conn);
      }
    });
    send(conn, {
      type: 'session.ready',
      data: {
        protocolVersion: 1,
        connectionId: `${options.instance}-${connections}`,
        serverTime: Date.now(),
        me: { id: user },
        rooms: [...rooms].map((id) => ({ id })),
      },
    });
  });
});

async function main(): Promise<void> {
  if (pub && sub) {
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(options.channel);
  }
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  console.log(`baseline listening on ${typeof address === 'object' && address ? address.port : options.port}`);
}

const shutdown = () => {
  for (const client of wss.clients) {
    client.terminate();
  }
  server.close();
  sub?.disconnect();
  pub?.disconnect();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

main().catch((error: unknown) => {
  console.error('baseline failed to start:', error);
  process.exit(1);
});
