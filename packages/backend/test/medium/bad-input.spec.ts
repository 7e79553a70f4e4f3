import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ALL_ROOM_ID, PROTOCOL_VERSION, type ErrorFrame, type ServerFrame } from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busBarrier, connectedUser, dbState, dialect, TestClient, useTestServer, type TestServer } from './harness';

/** Small, so oversized frames are cheap to build; the hard limit (ws maxPayload) is 16× this. */
const MAX_FRAME_BYTES = 2048;
const ALLOWED_ORIGIN = 'http://app.example';

/**
 * Request ids used by raw frames. TestClient.request numbers its own requests from 1 and matches answers
 * already received, so raw ids stay far away from them.
 */
let rawId = 900_000;
const nextRawId = () => ++rawId;

type User = Awaited<ReturnType<typeof connectedUser>>;

/** Tables whose row count joins the "nothing was written" check. */
const COUNTED = ['users', 'sessions', 'messages', 'room_members'];

/** Frames received after `mark`, minus replies (settle pings) and the typing frames used as barriers. */
function framesSince(client: TestClient, mark: number): ServerFrame[] {
  return client.frames
    .slice(mark)
    .filter((f) => f.type !== 'reply' && !(f.type === 'typing.started' && f.data.roomId === ALL_ROOM_ID));
}

/**
 * Subscribes `observer` to `userId`, then gives a promise resolved when it gets the presence.changed announcing
 * `userId` offline that follows this call, so no late frame leaks into the next test.
 */
async function offlineSeenBy(observer: User, userId: number): Promise<{ seen: Promise<unknown> }> {
  await observer.client.request('presence.subscribe', { userIds: [userId] });
  const before = new Set(observer.client.frames);
  const seen = observer.client.waitFor(
    (f) => !before.has(f) && f.type === 'presence.changed' && f.data.offline.some((o) => o.userId === userId),
  );
  return { seen };
}

/** Sends a raw frame and resolves with the first error frame that arrives after it. */
async function sendForError(client: TestClient, raw: string | Buffer, binary = false): Promise<ErrorFrame> {
  const seen = new Set(client.frames);
  const answer = client.waitFor((f) => f.type === 'error' && !seen.has(f));
  client.sendRaw(raw, binary);
  return (await answer) as ErrorFrame;
}

/** A raw frame as the client library would build it. */
function frame(type: unknown, data: unknown, id: unknown = nextRawId()): string {
  return JSON.stringify({ type, id, data });
}

/** Outcome of a WebSocket handshake made by hand: 101, or the status and JSON body of the refusal. */
function handshake(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { code?: string; message?: string } | null }> {
  const port = server.pychat.port;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: null });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Well-formed, never issued: only the field under test is wrong. */
const CALL_ID = 'AAAAAAAAAAAAAAAA';

describe(`bad input over WebSocket (${dialect})`, () => {
  const medium = useTestServer({
    PYCHAT_WS_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
    PYCHAT_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
  });
  let server: TestServer;
  let alice: User;
  let bob: User;
  let aliceMessageId: number;

  // Alice and Bob live for the whole block (medium.user() sockets close after each test).
  beforeAll(async () => {
    server = medium.server;
    alice = await connectedUser(server);
    bob = await connectedUser(server);
    const sent = await alice.client.request('message.send', { roomId: ALL_ROOM_ID, content: 'seed', localId: 'seed' });
    aliceMessageId = sent.message.id;
    await bob.client.waitFor('message.new', (d) => d.message.id === aliceMessageId);
  });
  afterAll(async () => {
    await alice.client.close();
    await bob.client.close();
  });

  /**
   * Sends one bad frame from alice and checks the whole contract: exactly one error frame with the code
   * (and replyTo when the id was readable), nothing written, bob saw nothing, and alice's socket still
   * answers a read request.
   */
  async function expectRefused(
    raw: string | Buffer,
    expected: { code: string; replyTo?: number; issuePath?: string },
    binary = false,
  ): Promise<ErrorFrame> {
    const before = await dbState(server, COUNTED);
    const aliceMark = alice.client.frames.length;
    const bobMark = bob.client.frames.length;

    const error = await sendForError(alice.client, raw, binary);
    expect(error.data.code).toBe(expected.code);
    expect(error.data.message).toEqual(expect.any(String));
    if (expected.replyTo === undefined) {
      expect(error).not.toHaveProperty('replyTo');
    } else {
      expect(error.replyTo).toBe(expected.replyTo);
    }
    if (expected.issuePath !== undefined) {
      expect(error.data.issues?.map((i) => i.path)).toContain(expected.issuePath);
    }

    // The same socket still works, and the server still serves others.
    const history = await alice.client.request('message.history', { roomId: ALL_ROOM_ID, limit: 1 });
    expect(history.messages.length).toBe(1);
    await busBarrier(alice, [bob.client]);
    await bob.client.settle();

    expect(framesSince(alice.client, aliceMark)).toEqual([error]);
    expect(framesSince(bob.client, bobMark)).toEqual([]);
    expect(await dbState(server, COUNTED)).toEqual(before);
    expect(alice.client.closed).toBeNull();
    return error;
  }

  describe('frames that are not a JSON object', () => {
    it.each([
      ['truncated JSON', '{"type":"message.send","id":5,"data":{"roomId":1,'],
      ['an empty frame', ''],
      ['single quotes', "{'type':'session.ping','id':5,'data':{}}"],
      ['a trailing comma', '{"type":"session.ping","id":5,"data":{},}'],
      ['plain text', 'hello server'],
    ])('answers %s with BAD_JSON and no replyTo', async (_name, raw) => {
      await expectRefused(raw, { code: 'BAD_JSON' });
    });

    it('answers a binary frame with BAD_FRAME, even when its bytes are a valid request', async () => {
      const raw = Buffer.from(
        JSON.stringify({ type: 'message.send', id: nextRawId(), data: { roomId: 1, content: 'bin', localId: 'b' } }),
      );
      await expectRefused(raw, { code: 'BAD_FRAME' }, true);
    });

    it.each([
      ['a JSON array', JSON.stringify([{ type: 'session.ping', id: 5, data: {} }])],
      ['a number', '42'],
      ['a string', '"session.ping"'],
      ['null', 'null'],
      ['a boolean', 'true'],
    ])('answers %s with BAD_FRAME and no replyTo', async (_name, raw) => {
      await expectRefused(raw, { code: 'BAD_FRAME' });
    });
  });

  describe('envelope problems', () => {
    it('answers an unknown envelope key with BAD_FRAME, replying to the readable id', async () => {
      const id = nextRawId();
      const raw = JSON.stringify({
        type: 'message.send',
        id,
        data: { roomId: 1, content: 'x', localId: 'env1' },
        as: 1,
      });
      const error = await expectRefused(raw, { code: 'BAD_FRAME', replyTo: id });
      expect(error.data.issues).toBeDefined();
    });

    it('answers an own "__proto__" key in the envelope with BAD_FRAME', async () => {
      const id = nextRawId();
      // JSON.parse makes "__proto__" an own property; it must not slip past the strict envelope.
      const raw = `{"type":"session.ping","id":${id},"data":{},"__proto__":{"type":"room.delete"}}`;
      await expectRefused(raw, { code: 'BAD_FRAME', replyTo: id });
    });

    it.each([
      ['a missing type', { data: {} }],
      ['a numeric type', { type: 7, data: {} }],
      ['a null type', { type: null, data: {} }],
      ['an over-long type', { type: 'message.send'.padEnd(65, 'x'), data: {} }],
    ])('answers %s with BAD_FRAME, replying to the id', async (_name, envelope) => {
      const id = nextRawId();
      await expectRefused(JSON.stringify({ ...envelope, id }), { code: 'BAD_FRAME', replyTo: id, issuePath: 'type' });
    });

    it('answers a missing data with BAD_FRAME, replying to the id', async () => {
      const id = nextRawId();
      await expectRefused(JSON.stringify({ type: 'message.send', id }), {
        code: 'BAD_FRAME',
        replyTo: id,
        issuePath: 'data',
      });
    });

    it.each([
      ['zero', 0],
      ['negative', -3],
      ['a float', 1.5],
      ['above MAX_SAFE_INTEGER', 2 ** 53],
      ['a string', '12'],
      ['null', null],
    ])('answers a request id that is %s with BAD_FRAME and no replyTo', async (_name, id) => {
      await expectRefused(frame('session.ping', {}, id), { code: 'BAD_FRAME', issuePath: 'id' });
    });

    it('answers a failing request without id with an error frame without replyTo', async () => {
      await expectRefused(JSON.stringify({ type: 'message.history', data: { roomId: 987_654 } }), {
        code: 'ROOM_NOT_FOUND',
      });
      await expectRefused(JSON.stringify({ type: 'message.send', data: { roomId: 'x' } }), {
        code: 'VALIDATION_FAILED',
        issuePath: 'roomId',
      });
    });

    it('still runs a successful request without id, silently', async () => {
      const mark = alice.client.frames.length;
      alice.client.sendRaw(JSON.stringify({ type: 'room.updateSettings', data: { roomId: ALL_ROOM_ID, volume: 42 } }));
      await alice.client.waitFor('room.settings', (d) => d.state.roomId === ALL_ROOM_ID && d.state.volume === 42);
      await alice.client.settle();
      expect(framesSince(alice.client, mark).map((f) => f.type)).toEqual(['room.settings']);
    });
  });

  describe('unknown types', () => {
    it.each([
      'message.nope',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      // Server→client names are facts, not requests.
      'message.new',
      'session.ready',
      'reply',
      'error',
    ])('answers type %j with UNKNOWN_TYPE and replyTo', async (type) => {
      const id = nextRawId();
      await expectRefused(frame(type, {}, id), { code: 'UNKNOWN_TYPE', replyTo: id });
    });
  });

  describe('invalid data', () => {
    const send = { roomId: ALL_ROOM_ID, content: 'ok', localId: 'valid-shape' };
    it.each([
      ['an unknown key in data', 'message.send', { ...send, senderId: 1 }, ''],
      ['an own "__proto__" key in data', 'session.ping', '__proto__', ''],
      ['"constructor" as a data key', 'message.send', { ...send, constructor: 1 }, ''],
      ['data as an array', 'message.send', [send], ''],
      ['data as a string', 'message.send', 'hello', ''],
      ['data as null', 'session.ping', null, ''],
      ['a string roomId', 'message.send', { ...send, roomId: '1' }, 'roomId'],
      ['a numeric content', 'message.send', { ...send, content: 5 }, 'content'],
      ['an empty content', 'message.send', { ...send, content: '' }, 'content'],
      ['a null localId', 'message.send', { ...send, localId: null }, 'localId'],
      ['an over-long localId', 'message.send', { ...send, localId: 'l'.repeat(65) }, 'localId'],
      ['mentions as a string', 'message.send', { ...send, mentions: '2' }, 'mentions'],
      ['a boolean limit', 'message.history', { roomId: ALL_ROOM_ID, limit: true }, 'limit'],
      ['a limit above the page size', 'message.history', { roomId: ALL_ROOM_ID, limit: 101 }, 'limit'],
      ['a negative search offset', 'message.search', { roomId: ALL_ROOM_ID, query: 'a', offset: -1 }, 'offset'],
      ['a blank room name', 'channel.create', { name: '   ', userIds: [] }, 'name'],
      ['a zero-width channel name', 'channel.create', { name: '\u200B\u200D', userIds: [] }, 'name'],
      ['a NUL channel name', 'channel.create', { name: '\u0000', userIds: [] }, 'name'],
      ['a Hangul-filler room name', 'room.create', { channelId: 1, name: '\u3164', userIds: [] }, 'name'],
      ['a right-to-left override in a channel name', 'channel.create', { name: 'gpj.\u202Eexe', userIds: [] }, 'name'],
      ['a bidi isolate in a room name', 'room.create', { channelId: 1, name: 'a\u2067b', userIds: [] }, 'name'],
      ['a bidi override in a rename', 'room.update', { roomId: ALL_ROOM_ID, name: '\u202Dall' }, 'name'],
      ['a volume above 100', 'room.updateSettings', { roomId: ALL_ROOM_ID, volume: 101 }, 'volume'],
      ['an empty invite list', 'room.invite', { roomId: ALL_ROOM_ID, userIds: [] }, 'userIds'],
      ['a call id of the wrong shape', 'call.join', { callId: '../../etc' }, 'callId'],
      // An SDP above 16 KiB does not fit this block's small frames: calls.spec.ts sends one.
      ['an empty SDP', 'rtc.offer', { callId: CALL_ID, toConnId: 'abc', sdp: '' }, 'sdp'],
      [
        'an ICE candidate that is not a candidate line',
        'rtc.candidate',
        { callId: CALL_ID, toConnId: 'abc', candidate: { candidate: 'a=end-of-candidates\r\n' } },
        'candidate.candidate',
      ],
      ['a toConnId with a space', 'rtc.answer', { callId: CALL_ID, toConnId: 'a b', sdp: 'v=0' }, 'toConnId'],
      ['a transfer id of the wrong shape', 'transfer.accept', { transferId: '../x', received: 0 }, 'transferId'],
      [
        'an offered file of 0 bytes',
        'transfer.offer',
        { roomId: ALL_ROOM_ID, file: { name: 'a', size: 0, type: '', sha256: 'a'.repeat(64) } },
        'file.size',
      ],
      [
        'an offered file with a short hash',
        'transfer.offer',
        { roomId: ALL_ROOM_ID, file: { name: 'a', size: 1, type: '', sha256: 'abc' } },
        'file.sha256',
      ],
      ['a fractional resume offset', 'transfer.accept', { transferId: CALL_ID, received: 1.5 }, 'received'],
      ['a p2p room id that is a string', 'p2p.join', { roomId: '1' }, 'roomId'],
      [
        'a p2p signal to a toConnId with a slash',
        'p2p.signal',
        { roomId: 1, toConnId: '../a', signal: { candidate: { candidate: '' } } },
        'toConnId',
      ],
      [
        'a p2p signal with an SDP of the wrong type',
        'p2p.signal',
        { roomId: 1, toConnId: 'abc', signal: { description: { type: 'pranswer', sdp: 'v=0' } } },
        'signal',
      ],
    ])('answers %s with VALIDATION_FAILED, issues and replyTo', async (_name, type, data, issuePath) => {
      const id = nextRawId();
      const raw =
        data === '__proto__'
          ? `{"type":"${type}","id":${id},"data":{"__proto__":{"isAdmin":true}}}`
          : frame(type, data, id);
      const error = await expectRefused(raw, { code: 'VALIDATION_FAILED', replyTo: id, issuePath });
      expect(error.data.issues?.length).toBeGreaterThan(0);
    });

    it.each([
      ['zero', '0'],
      ['negative', '-1'],
      ['a float', '1.5'],
      ['above MAX_SAFE_INTEGER', '9007199254740993'],
      ['huge', '1e300'],
      ['overflowing to Infinity', '1e400'],
      ['a string', '"1"'],
      ['a hex string', '"0x1"'],
      ['an object', '{"$gt":0}'],
    ])('refuses a forged roomId that is %s with VALIDATION_FAILED', async (_name, roomId) => {
      const id = nextRawId();
      const raw = `{"type":"message.send","id":${id},"data":{"roomId":${roomId},"content":"x","localId":"forged"}}`;
      await expectRefused(raw, { code: 'VALIDATION_FAILED', replyTo: id, issuePath: 'roomId' });
    });

    it.each([
      ['message.edit', { messageId: -1, content: 'x' }, 'messageId'],
      ['message.delete', { messageId: 0 }, 'messageId'],
      ['message.read', { roomId: ALL_ROOM_ID, messageId: 2.5 }, 'messageId'],
      ['message.send', { roomId: ALL_ROOM_ID, content: 'x', localId: 'p', parentId: 0 }, 'parentId'],
      ['message.send', { roomId: ALL_ROOM_ID, content: 'x', localId: 'm', mentions: [-2] }, 'mentions.0'],
      ['room.createDirect', { userId: 1e20 }, 'userId'],
      ['room.invite', { roomId: ALL_ROOM_ID, userIds: ['2'] }, 'userIds.0'],
    ] as const)('refuses a forged id in %s with VALIDATION_FAILED', async (type, data, issuePath) => {
      const id = nextRawId();
      await expectRefused(frame(type, data, id), { code: 'VALIDATION_FAILED', replyTo: id, issuePath });
    });

    it.each([
      [
        'message.send to an unknown room',
        'message.send',
        { roomId: 987_654, content: 'x', localId: 'unk' },
        'ROOM_NOT_FOUND',
      ],
      [
        'message.send to room MAX_SAFE_INTEGER',
        'message.send',
        { roomId: Number.MAX_SAFE_INTEGER, content: 'x', localId: 'max' },
        'ROOM_NOT_FOUND',
      ],
      ['message.history of an unknown room', 'message.history', { roomId: 987_654 }, 'ROOM_NOT_FOUND'],
      ['message.edit of an unknown message', 'message.edit', { messageId: 987_654, content: 'x' }, 'MESSAGE_NOT_FOUND'],
      [
        'message.delete of message MAX_SAFE_INTEGER',
        'message.delete',
        { messageId: Number.MAX_SAFE_INTEGER },
        'MESSAGE_NOT_FOUND',
      ],
      [
        'message.read of an unknown message',
        'message.read',
        { roomId: ALL_ROOM_ID, messageId: Number.MAX_SAFE_INTEGER },
        'MESSAGE_NOT_FOUND',
      ],
      [
        'a reply to an unknown parent',
        'message.send',
        { roomId: ALL_ROOM_ID, content: 'x', localId: 'orphan', parentId: 987_654 },
        'MESSAGE_NOT_FOUND',
      ],
      [
        'a mention of an unknown user',
        'message.send',
        { roomId: ALL_ROOM_ID, content: 'x', localId: 'ment', mentions: [987_654] },
        'USER_NOT_FOUND',
      ],
      ['a direct room with an unknown user', 'room.createDirect', { userId: 987_654 }, 'USER_NOT_FOUND'],
      ['room.members of an unknown room', 'room.members', { roomId: 987_654 }, 'ROOM_NOT_FOUND'],
      ['typing in an unknown room', 'typing.start', { roomId: 987_654 }, 'ROOM_NOT_FOUND'],
      [
        'room.create in an unknown channel',
        'room.create',
        { channelId: 987_654, name: 'r', userIds: [] },
        'CHANNEL_NOT_FOUND',
      ],
    ] as const)('answers %s (well-formed, nonexistent) with %s', async (_name, type, data, code) => {
      const id = nextRawId();
      await expectRefused(frame(type, data, id), { code, replyTo: id });
    });
  });

  describe('frame size', () => {
    /** A message.send frame of exactly `bytes` bytes (ASCII), with its id first so the prefix scan finds it. */
    function sizedSend(bytes: number, id: number, localId: string): string {
      const empty = JSON.stringify({ type: 'message.send', id, data: { roomId: ALL_ROOM_ID, content: '', localId } });
      return JSON.stringify({
        type: 'message.send',
        id,
        data: { roomId: ALL_ROOM_ID, content: 'x'.repeat(bytes - empty.length), localId },
      });
    }

    it('accepts a frame of exactly PYCHAT_WS_MAX_FRAME_BYTES', async () => {
      const id = nextRawId();
      const raw = sizedSend(MAX_FRAME_BYTES, id, 'exact');
      expect(Buffer.byteLength(raw)).toBe(MAX_FRAME_BYTES);
      const reply = alice.client.waitFor((f) => f.type === 'reply' && f.replyTo === id);
      alice.client.sendRaw(raw);
      await reply;
      await bob.client.waitFor('message.new', (d) => d.localId === 'exact');
    });

    it('answers one byte more with FRAME_TOO_LARGE and replyTo, and stores nothing', async () => {
      const id = nextRawId();
      const raw = sizedSend(MAX_FRAME_BYTES + 1, id, 'over');
      await expectRefused(raw, { code: 'FRAME_TOO_LARGE', replyTo: id });
    });

    it('counts bytes, not characters', async () => {
      const id = nextRawId();
      // 1000 four-byte characters: 2000 UTF-16 units, about 4 KB on the wire.
      const raw = frame('message.send', { roomId: ALL_ROOM_ID, content: '😀'.repeat(1000), localId: 'emoji' }, id);
      expect(raw.length).toBeLessThan(MAX_FRAME_BYTES * 2);
      expect(Buffer.byteLength(raw)).toBeGreaterThan(MAX_FRAME_BYTES);
      await expectRefused(raw, { code: 'FRAME_TOO_LARGE', replyTo: id });
    });

    it('answers FRAME_TOO_LARGE without replyTo when the id is not in the readable prefix', async () => {
      const raw = `{"data":{"roomId":1,"content":"${'y'.repeat(MAX_FRAME_BYTES)}","localId":"late"},"type":"message.send","id":${nextRawId()}}`;
      await expectRefused(raw, { code: 'FRAME_TOO_LARGE' });
    });

    it.each(['0', '1.5', '2e3', '12345678901234567', '"7"'])(
      'answers FRAME_TOO_LARGE without replyTo when the id in the prefix is %s (not a valid id)',
      async (id) => {
        const raw = `{"id":${id},"type":"message.send","data":{"roomId":1,"content":"${'z'.repeat(MAX_FRAME_BYTES)}","localId":"z"}}`;
        await expectRefused(raw, { code: 'FRAME_TOO_LARGE' });
      },
    );

    it('closes with 1009 above 16× the limit, keeps serving others, and lets the user reconnect', async () => {
      const victim = await medium.user();
      await busBarrier(victim, [alice.client, bob.client]);
      const before = await dbState(server, COUNTED);
      const closed = new Promise<number>((resolve) => victim.client.ws.once('close', (code: number) => resolve(code)));
      const offline = await offlineSeenBy(bob, victim.user.id);
      victim.client.sendRaw(sizedSend(MAX_FRAME_BYTES * 16 + 1, nextRawId(), 'huge'));
      expect(await closed).toBe(1009);
      await offline.seen;
      expect(await dbState(server, COUNTED)).toMatchObject({
        messages: before.messages,
        'messages.count': before['messages.count'],
      });

      // Others are unaffected: a message still reaches bob.
      const sent = await alice.client.request('message.send', {
        roomId: ALL_ROOM_ID,
        content: 'after 1009',
        localId: 'after1009',
      });
      await bob.client.waitFor('message.new', (d) => d.message.id === sent.message.id);

      // The closed user can come back with the same session.
      const again = await medium.connect(victim.token);
      expect(again.ready.me.id).toBe(victim.user.id);
      await again.settle();
      const offlineAgain = await offlineSeenBy(bob, victim.user.id);
      await again.close();
      await offlineAgain.seen;
    });
  });

  it('keeps a socket usable after a burst of mixed bad frames, answering each in order', async () => {
    const before = await dbState(server, COUNTED);
    const ids = [nextRawId(), nextRawId(), nextRawId(), nextRawId()];
    const raws = [
      frame('nope', {}, ids[0]),
      frame('message.send', { roomId: 'x' }, ids[1]),
      frame('message.edit', { messageId: aliceMessageId + 10_000, content: 'x' }, ids[2]),
      JSON.stringify({ type: 'session.ping', id: ids[3], data: {}, extra: true }),
    ];
    const answers = ids.map((id) => alice.client.waitFor((f) => f.type === 'error' && f.replyTo === id));
    for (const raw of raws) {
      alice.client.sendRaw(raw);
    }
    const codes = (await Promise.all(answers)).map((f) => (f as ErrorFrame).data.code);
    expect(codes).toEqual(['UNKNOWN_TYPE', 'VALIDATION_FAILED', 'MESSAGE_NOT_FOUND', 'BAD_FRAME']);
    expect(await dbState(server, COUNTED)).toEqual(before);
    const sent = await alice.client.request('message.send', {
      roomId: ALL_ROOM_ID,
      content: 'still here',
      localId: 'burst',
    });
    await bob.client.waitFor('message.new', (d) => d.message.id === sent.message.id);
  });

  describe('handshake refusals (answered before the upgrade)', () => {
    const path = `/ws?v=${PROTOCOL_VERSION}`;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('accepts a well-formed handshake (control for the refusals below)', async () => {
      expect((await handshake(server, path, bearer(alice.token))).status).toBe(101);
    });

    it('refuses a handshake without session with 401 UNAUTHENTICATED', async () => {
      expect(await handshake(server, path)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    });

    it.each([
      ['an unknown bearer token', bearer(randomBytes(32).toString('base64url'))],
      ['a too short bearer token', bearer('x')],
      ['an over-long bearer token', bearer('t'.repeat(4096))],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      ['an unknown session cookie', { cookie: `pychat_session=${randomBytes(32).toString('base64url')}` }],
      ['a malformed cookie header', { cookie: 'pychat_session' }],
      ['a Basic authorization', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ])('refuses %s with 401', async (_name, headers) => {
      expect(await handshake(server, path, headers)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    });

    it.each([
      ['no version', '/ws'],
      ['an older version', `/ws?v=${PROTOCOL_VERSION - 1}`],
      ['a newer version', `/ws?v=${PROTOCOL_VERSION + 1}`],
      ['a decimal version', `/ws?v=${PROTOCOL_VERSION}.0`],
      ['an empty version', '/ws?v='],
      ['the version under another name', `/ws?version=${PROTOCOL_VERSION}`],
    ])('refuses %s with 426 even with a valid session', async (_name, wsPath) => {
      const res = await handshake(server, wsPath, bearer(alice.token));
      expect(res).toMatchObject({ status: 426, body: { code: 'UNSUPPORTED_PROTOCOL_VERSION' } });
      expect(res.body?.message).toContain(`v=${PROTOCOL_VERSION}`);
    });

    it.each(['yesterday', '-1', '1.5', '', '1e12', '9'.repeat(20)])(
      'refuses usersSince=%s with 400 VALIDATION_FAILED',
      async (since) => {
        const res = await handshake(server, `${path}&usersSince=${since}`, bearer(alice.token));
        expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      },
    );

    it('accepts usersSince=0 (every user changed since the epoch)', async () => {
      expect((await handshake(server, `${path}&usersSince=0`, bearer(alice.token))).status).toBe(101);
    });

    it.each(['/', '/wss', '/ws/', '/api/ws', '/WS', '/ws/extra'])(
      'refuses path %s with 404 even with a valid session',
      async (wsPath) => {
        const res = await handshake(server, `${wsPath}?v=${PROTOCOL_VERSION}`, bearer(alice.token));
        expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      },
    );

    it.each(['http://evil.example', `http://127.0.0.1:1`, 'null', 'not a url', 'http://app.example.evil.example'])(
      'refuses foreign Origin %s with 403 even with a valid session',
      async (origin) => {
        const res = await handshake(server, path, { ...bearer(alice.token), origin });
        expect(res).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      },
    );

    it('checks path, then version, then origin, then session', async () => {
      const evil = { origin: 'http://evil.example' };
      expect((await handshake(server, '/nope?v=0', evil)).status).toBe(404);
      expect((await handshake(server, '/ws?v=0', evil)).status).toBe(426);
      expect((await handshake(server, path, evil)).status).toBe(403);
      expect((await handshake(server, path, { origin: ALLOWED_ORIGIN })).status).toBe(401);
    });

    it('allows the same-host Origin and a configured extra origin', async () => {
      const sameHost = `http://127.0.0.1:${server.pychat.port}`;
      expect((await handshake(server, path, { ...bearer(alice.token), origin: sameHost })).status).toBe(101);
      expect((await handshake(server, path, { ...bearer(alice.token), origin: ALLOWED_ORIGIN })).status).toBe(101);
    });

    it('leaves no trace: nothing written, nobody told the refused user came online', async () => {
      const stranger = await medium.user();
      const offline = await offlineSeenBy(bob, stranger.user.id);
      await stranger.client.close();
      await offline.seen;
      const before = await dbState(server, COUNTED);
      const mark = bob.client.frames.length;
      await handshake(server, path, { ...bearer(stranger.token), origin: 'http://evil.example' });
      await handshake(server, '/ws?v=0', bearer(stranger.token));
      await handshake(server, path, bearer('forged-token-forged-token-forged'));
      await busBarrier(alice, [bob.client]);
      expect(framesSince(bob.client, mark).filter((f) => f.type === 'presence.changed')).toEqual([]);
      expect(await dbState(server, COUNTED)).toEqual(before);
    });
  });
});
