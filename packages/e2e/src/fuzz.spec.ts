import {
  ALL_ROOM_ID,
  AuthResponse,
  AvailabilityResponse,
  ChannelDto,
  clientRequests,
  ERROR_CODES,
  HealthResponse,
  isClientType,
  isServerEventType,
  MembersResponse,
  ProfileResponse,
  RoomDto,
  RoomStateDto,
  serverEvents,
  UserDto,
  UsersResponse,
  type ClientType,
  type ServerFrame,
} from '@pychat/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from './processes';
import { api, NO_RATE_LIMITS, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from './stack';

/**
 * Property-based fuzz of the WebSocket protocol and the REST API against one embedded server (SQLite).
 * Frames and bodies are valid ones recorded from a real session, mutated (wrong types, missing and extra
 * keys, huge numbers, unicode, nested junk, another request type, ids of other users' rooms and
 * messages), plus raw junk. Properties: the server stays up; every answer is a documented error code or
 * a reply its schema accepts; every event any connected user receives is valid and concerns a room or
 * channel that user is in (a bystander in nothing but "all" never hears of anything else).
 *
 * Reproduce a run with FUZZ_SEED=<printed seed>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WS_RUNS = Number(process.env.FUZZ_WS_RUNS ?? 300);
const REST_RUNS = Number(process.env.FUZZ_REST_RUNS ?? 200);
const ERRORS = new Set<string>(ERROR_CODES);

interface Seed {
  type: ClientType;
  data: Record<string, unknown>;
}

/**
 * Checks every frame a connected user receives, in order: a documented event with valid data, for a room
 * or channel the user belongs to at that point of its stream (membership followed from session.ready,
 * room.added/removed, channel.added/removed).
 */
class Observer {
  readonly rooms: Set<number>;
  readonly channels: Set<number>;
  /** Transfers offered to it: a cancel of any other is a leak. */
  readonly transfers: Set<string>;
  readonly violations: string[] = [];
  #cursor: number;

  constructor(
    readonly name: string,
    readonly client: TestClient,
    /** The fuzzer itself: may get replies, errors and its own settings.updated. */
    private readonly fuzzer: boolean,
    /** The bystander: its membership must never change. */
    private readonly fixed: boolean,
  ) {
    this.rooms = new Set(client.ready.rooms.map((r) => r.id));
    this.channels = new Set(client.ready.channels.map((c) => c.id));
    this.transfers = new Set();
    // What happened since session.ready (the session's setup) only moves the membership.
    const ready = client.frames.findIndex((f) => f.type === 'session.ready');
    for (const frame of client.frames.slice(ready + 1)) {
      this.#problem(frame);
    }
    this.#cursor = client.frames.length;
  }

  check(): string[] {
    const frames = this.client.frames.slice(this.#cursor);
    this.#cursor = this.client.frames.length;
    for (const frame of frames) {
      const problem = this.#problem(frame);
      if (problem) {
        this.violations.push(`${this.name} got ${JSON.stringify(frame).slice(0, 400)}: ${problem}`);
      }
    }
    return this.violations;
  }

  #problem(frame: ServerFrame): string | null {
    if (frame.type === 'reply' || frame.type === 'error') {
      return this.fuzzer ? null : 'an answer to a request it never made';
    }
    if (!isServerEventType(frame.type)) {
      return 'an undocumented frame type';
    }
    const parsed = serverEvents[frame.type].safeParse(frame.data);
    if (!parsed.success) {
      return `invalid ${frame.type}: ${parsed.error.message.slice(0, 200)}`;
    }
    const inRoom = (roomId: number) => (this.rooms.has(roomId) ? null : `room ${roomId} is not one of its rooms`);
    switch (frame.type) {
      case 'session.ready':
        return 'a second session.ready';
      case 'session.ended':
        return 'nobody signed this session out';
      case 'settings.updated':
        return this.fuzzer ? null : 'settings it never changed';
      case 'presence.changed':
      case 'user.created':
      case 'user.updated':
        return null;
      case 'message.new':
      case 'message.edited':
      case 'message.deleted':
      case 'message.pinned':
        return inRoom(frame.data.message.roomId);
      case 'message.read':
      case 'message.reactions':
      case 'typing.started':
      case 'room.online':
        return inRoom(frame.data.roomId);
      case 'room.updated':
        return inRoom(frame.data.room.id);
      case 'room.settings':
        return this.fuzzer ? inRoom(frame.data.state.roomId) : 'settings it never changed';
      case 'room.added':
        if (this.fixed) {
          return 'the bystander was added to a room';
        }
        // Rooms above the inline limit come without a member list; the fuzz never builds one that big.
        if (!frame.data.room.members?.some((m) => m.userId === this.client.ready.me.id)) {
          return 'a room.added for a room it is not a member of';
        }
        this.rooms.add(frame.data.room.id);
        return null;
      case 'room.removed': {
        const problem = this.fixed ? 'the bystander lost a room' : inRoom(frame.data.roomId);
        this.rooms.delete(frame.data.roomId);
        return problem;
      }
      case 'channel.added':
        this.channels.add(frame.data.channel.id);
        return this.fixed ? 'the bystander was added to a channel' : null;
      case 'channel.updated':
        return this.channels.has(frame.data.channel.id) ? null : `channel ${frame.data.channel.id} is not its channel`;
      case 'channel.removed': {
        const problem = this.fixed
          ? 'the bystander lost a channel'
          : this.channels.has(frame.data.channelId)
            ? null
            : `channel ${frame.data.channelId} is not its channel`;
        this.channels.delete(frame.data.channelId);
        return problem;
      }
      case 'call.incoming':
        return inRoom(frame.data.call.roomId);
      case 'call.joined':
      case 'call.declined':
      case 'call.left':
      case 'call.ended':
        return inRoom(frame.data.roomId);
      case 'rtc.offer':
      case 'rtc.answer':
      case 'rtc.candidate':
        // Nobody but Alice's one device is ever in a call: SDP or ICE reaching anyone is a forwarding hole.
        return 'signalling for a call it never joined';
      case 'transfer.incoming':
        this.transfers.add(frame.data.transfer.transferId);
        return inRoom(frame.data.transfer.roomId);
      case 'transfer.cancelled':
        return this.transfers.has(frame.data.transferId) ? null : 'a cancel of a transfer it was never offered';
      case 'transfer.accepted':
      case 'transfer.declined':
      case 'transfer.signal':
        // Nobody accepts Alice's offers: an answer or signalling reaching anyone is a forwarding hole.
        return 'an answer or signalling for a transfer it is not an end of';
      case 'p2p.joined':
      case 'p2p.left':
      case 'p2p.signal':
        // No observer's device is ever present in a p2p room: presence or signalling reaching one is a hole.
        return 'p2p presence or signalling of a room it never joined as a device';
    }
  }
}

describe('fuzz: WebSocket protocol and REST API (embedded, SQLite)', () => {
  let instance: Instance;
  let alice: TestClient;
  let aliceToken: string;
  let observers: Observer[];
  let bystanderId: number;
  const seeds: Seed[] = [];
  /** Ids a forged frame may carry: Alice's own and other users' rooms, messages, channels, users. */
  const ids = {
    own: [] as number[],
    foreignRooms: [] as number[],
    foreignMessages: [] as number[],
    foreignChannels: [] as number[],
  };
  const t0 = Date.now();

  beforeAll(async () => {
    console.log(`fuzz seed ${SEED} (rerun with FUZZ_SEED=${SEED})`);
    // Request budgets out of the way: the properties check authorization and validation, which a spent budget
    // would answer first (RATE_LIMITED); backend test/medium/abuse.spec.ts tests the budgets.
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('fuzz'), ...NO_RATE_LIMITS });
    const [a, b, c, d] = [uniqueName('alice'), uniqueName('bob'), uniqueName('carol'), uniqueName('dave')];
    const [aliceAuth, bobAuth, carolAuth, daveAuth] = [
      await signUp(instance, a),
      await signUp(instance, b),
      await signUp(instance, c),
      await signUp(instance, d),
    ];
    aliceToken = aliceAuth.token;
    bystanderId = daveAuth.user.id;
    const bob = await TestClient.connect(instance, bobAuth.token);
    const carol = await TestClient.connect(instance, carolAuth.token);
    const dave = await TestClient.connect(instance, daveAuth.token);
    alice = await TestClient.connect(instance, aliceAuth.token);

    // Carol's own corner, which Alice is not part of: a channel, a room in it, a direct room with Bob.
    const carolChannel = await carol.request('channel.create', { name: 'carols', userIds: [bobAuth.user.id] });
    const carolRoom = await carol.request('room.create', {
      channelId: carolChannel.channel.id,
      name: 'secret',
      userIds: [bobAuth.user.id],
    });
    const carolDirect = await carol.request('room.createDirect', { userId: bobAuth.user.id });
    ids.foreignChannels.push(carolChannel.channel.id);
    ids.foreignRooms.push(carolChannel.room.id, carolRoom.room.id, carolDirect.room.id);
    for (const roomId of ids.foreignRooms) {
      const sent = await carol.request('message.send', { roomId, content: 'not for alice', localId: `c${roomId}` });
      ids.foreignMessages.push(sent.message.id);
    }

    // Alice's real session; every request she makes is a seed.
    const record = async <K extends ClientType>(type: K, data: Parameters<TestClient['request']>[1] & object) => {
      seeds.push({ type, data: data as Record<string, unknown> });
      return alice.request(type, data as never);
    };
    const channel = await record('channel.create', { name: 'fuzz', userIds: [bobAuth.user.id] });
    const room = await record('room.create', {
      channelId: channel.channel.id,
      name: 'room',
      userIds: [bobAuth.user.id],
    });
    const direct = await record('room.createDirect', { userId: bobAuth.user.id });
    const first = await record('message.send', { roomId: room.room.id, content: 'hello', localId: 'seed-1' });
    const reply = await record('message.send', {
      roomId: room.room.id,
      content: 'a reply @bob',
      localId: 'seed-2',
      parentId: first.message.id,
      mentions: [bobAuth.user.id],
    });
    const inAll = await record('message.send', { roomId: ALL_ROOM_ID, content: 'hi all', localId: 'seed-3' });
    await record('message.send', { roomId: direct.room.id, content: 'psst', localId: 'seed-4' });
    await record('message.edit', { messageId: first.message.id, content: 'hello!', mentions: [] });
    await record('message.history', { roomId: room.room.id, limit: 10 });
    await record('message.history', {
      roomId: room.room.id,
      threadId: first.message.id,
      beforeId: reply.message.id + 1,
    });
    await record('message.sync', { rooms: [{ roomId: room.room.id, lastMessageId: 0, since: 0 }] });
    await record('message.search', { roomId: room.room.id, query: 'hel', offset: 0 });
    await record('message.read', { roomId: room.room.id, messageId: reply.message.id });
    await record('message.react', { messageId: reply.message.id, emoji: '👍', on: true });
    await record('message.pin', { messageId: reply.message.id, pinned: true });
    await record('message.pins', { roomId: room.room.id });
    await record('typing.start', { roomId: room.room.id });
    await record('room.members', { roomId: room.room.id });
    await record('room.updateSettings', { roomId: room.room.id, volume: 50, notifications: false });
    await record('room.update', { roomId: room.room.id, name: 'renamed' });
    await record('room.invite', { roomId: channel.room.id, userIds: [carolAuth.user.id] });
    await record('channel.update', { channelId: channel.channel.id, name: 'fuzzed' });
    await record('session.ping', {});
    await record('settings.update', { theme: 'dark', messageSound: false });
    await record('status.set', { status: 'dnd', text: 'fuzzing' });
    await record('message.send', {
      roomId: room.room.id,
      content: 'answer',
      localId: 'seed-5',
      replyToId: first.message.id,
    });
    await record('message.delete', { messageId: inAll.message.id });
    const { callId } = await record('call.start', { roomId: room.room.id, video: false });
    await record('call.list', {});
    const file = { name: 'a.bin', size: 10, type: '', sha256: 'a'.repeat(64) };
    const { transferId } = await record('transfer.offer', { roomId: room.room.id, file });
    const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host', sdpMid: '0' };
    // Bob's device never joins: every forward to it must be refused (CALL_PEER_NOT_FOUND). No call.leave seed:
    // the call stays up, so these reach the peer check rather than CALL_NOT_FOUND.
    seeds.push(
      { type: 'rtc.offer', data: { callId, toConnId: bob.ready.connectionId, sdp } },
      { type: 'rtc.answer', data: { callId, toConnId: bob.ready.connectionId, sdp } },
      { type: 'rtc.candidate', data: { callId, toConnId: bob.ready.connectionId, candidate } },
      { type: 'call.join', data: { callId } },
      { type: 'call.decline', data: { callId } },
      // Bob never accepts: signalling to him or cancelling him must be refused (TRANSFER_PEER_NOT_FOUND).
      { type: 'transfer.signal', data: { transferId, toConnId: bob.ready.connectionId, signal: { candidate } } },
      { type: 'transfer.cancel', data: { transferId, connId: bob.ready.connectionId } },
      { type: 'transfer.accept', data: { transferId, received: 0 } },
      { type: 'transfer.decline', data: { transferId } },
      // Alice's direct room with Bob as a p2p room; Bob's device never joins it (P2P_PEER_NOT_FOUND).
      { type: 'room.update', data: { roomId: direct.room.id, p2p: true } },
      { type: 'p2p.join', data: { roomId: direct.room.id } },
      { type: 'p2p.signal', data: { roomId: direct.room.id, toConnId: bob.ready.connectionId, signal: { candidate } } },
      { type: 'p2p.leave', data: { roomId: direct.room.id } },
    );
    // Requests that end something: recorded as seeds without being sent now.
    seeds.push(
      { type: 'room.leave', data: { roomId: room.room.id } },
      { type: 'room.delete', data: { roomId: room.room.id } },
      { type: 'channel.leave', data: { channelId: channel.channel.id } },
      { type: 'channel.delete', data: { channelId: channel.channel.id } },
    );
    ids.own.push(
      ALL_ROOM_ID,
      channel.channel.id,
      room.room.id,
      direct.room.id,
      first.message.id,
      reply.message.id,
      bobAuth.user.id,
      carolAuth.user.id,
      aliceAuth.user.id,
    );
    // Carol's invite to Alice's room above is legitimate: let it arrive before the observers start.
    await carol.waitFor('room.added', (d) => d.room.id === channel.room.id);
    await bob.request('session.ping', {});
    await dave.request('session.ping', {});
    await carol.request('session.ping', {});

    observers = [
      new Observer('alice', alice, true, false),
      new Observer('bob', bob, false, false),
      new Observer('carol', carol, false, false),
      new Observer('dave (bystander)', dave, false, true),
    ];
    expect(dave.ready.rooms.map((r) => r.id)).toEqual([ALL_ROOM_ID]);
  });

  afterAll(async () => {
    await Promise.all((observers ?? []).map((observer) => observer.client.close()));
    await instance?.kill();
    console.log(`fuzz took ${Date.now() - t0} ms`);
  });

  // ---------- arbitraries (built once the session exists: they draw from its seeds and ids) ----------

  function arbitraries() {
    const anyId = fc.oneof(
      fc.constantFrom(...ids.own, ...ids.foreignRooms, ...ids.foreignMessages, ...ids.foreignChannels),
      fc.integer({ min: 1, max: 50 }),
    );
    const hugeNumber = fc.constantFrom(
      0,
      -1,
      -0,
      1.5,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 + 1,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 63,
      1e308,
      -1e308,
      Number.MIN_VALUE,
    );
    const weirdText = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '',
        ' ',
        '\u0000',
        '\uFFFF',
        '\uD800',
        '🦄'.repeat(3000),
        'a'.repeat(10_001),
        'x'.repeat(70_000),
        '<script>alert(1)</script>',
        "'; DROP TABLE messages; --",
        '%_\\',
        '__proto__',
        'constructor',
        '1',
        '1e3',
      ),
    );
    const scalar = fc.oneof(anyId, hugeNumber, weirdText, fc.boolean(), fc.constant(null));
    const nested = fc.integer({ min: 1, max: 500 }).map((depth) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) {
        value = i % 2 ? [value] : { a: value };
      }
      return value;
    });
    const junk: fc.Arbitrary<unknown> = fc.oneof(
      scalar,
      fc.anything({ maxDepth: 3, maxKeys: 5 }),
      fc.array(anyId, { maxLength: 600 }),
      fc.array(scalar, { maxLength: 5 }),
      nested,
    );
    type Data = Record<string, unknown>;
    const mutation: fc.Arbitrary<(data: Data) => unknown> = fc.oneof(
      // a field gets a junk value
      fc.tuple(fc.nat(), junk).map(([i, value]) => (data: Data) => {
        const keys = Object.keys(data);
        return keys.length === 0 ? { x: value } : { ...data, [keys[i % keys.length] as string]: value };
      }),
      // a numeric field gets another id: somebody else's room, message, channel, user
      fc.tuple(fc.nat(), anyId).map(([i, id]) => (data: Data) => {
        const keys = Object.keys(data).filter((k) => typeof data[k] === 'number');
        return keys.length === 0 ? data : { ...data, [keys[i % keys.length] as string]: id };
      }),
      // a field goes missing
      fc.nat().map((i) => (data: Data) => {
        const copy = { ...data };
        const keys = Object.keys(copy);
        if (keys.length > 0) {
          delete copy[keys[i % keys.length] as string];
        }
        return copy;
      }),
      // an extra field (a computed "__proto__" is an own key, sent as such)
      fc
        .tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'id', 'type')), junk)
        .map(([key, value]) => (data: Data) => ({ ...data, [key]: value })),
      // the whole data replaced
      junk.map((value) => () => value),
    );
    const seedIndex = fc.nat({ max: seeds.length - 1 });
    const requestId = fc.integer({ min: 1, max: 1_000_000 });
    const idOf = (text: string): number | null => {
      try {
        const parsed = JSON.parse(text) as { id?: unknown } | null;
        const id = parsed !== null && typeof parsed === 'object' ? parsed.id : undefined;
        return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
      } catch {
        return null;
      }
    };
    const mutated = fc
      .tuple(
        seedIndex,
        fc.array(mutation, { minLength: 0, maxLength: 3 }),
        fc.option(fc.constantFrom(...Object.keys(clientRequests)), { freq: 4 }),
        requestId,
      )
      .map(([i, mutations, otherType, id]) => {
        const seed = seeds[i] as Seed;
        let data: unknown = seed.data;
        for (const m of mutations) {
          data = m(data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Data) : {});
        }
        const type = otherType ?? seed.type;
        const text = encode({ type, id, data });
        return { text: text as string | Buffer, id: idOf(text), type: type as string | null };
      });
    // a valid seed whose every *Id is somebody else's room, message or channel
    const foreign = [...ids.foreignRooms, ...ids.foreignMessages, ...ids.foreignChannels];
    const forgedIds = fc.tuple(seedIndex, requestId, fc.nat()).map(([i, id, pick]) => {
      const seed = seeds[i] as Seed;
      const data = JSON.parse(JSON.stringify(seed.data), (key, value: unknown) =>
        typeof value === 'number' && /Id$/.test(key) ? foreign[(pick + value) % foreign.length] : value,
      ) as unknown;
      const text = encode({ type: seed.type, id, data });
      return { text: text as string | Buffer, id: idOf(text), type: seed.type as string | null };
    });
    // envelope junk: bad ids and types, extra keys
    const envelope = fc
      .record(
        {
          type: fc.oneof(fc.constantFrom(...Object.keys(clientRequests)), weirdText, scalar),
          id: fc.oneof(hugeNumber, fc.integer({ min: 1, max: 1000 }), weirdText),
          data: junk,
          extra: junk,
        },
        { requiredKeys: [] },
      )
      .map((env) => {
        const text = encode(env);
        const parsed = JSON.parse(text) as { type?: unknown };
        return {
          text: text as string | Buffer,
          id: idOf(text),
          type: typeof parsed.type === 'string' ? parsed.type : null,
        };
      });
    // not even an envelope: text, JSON of anything, binary
    const raw = fc
      .oneof(
        weirdText.map((t) => t as string | Buffer),
        junk.map((v) => encode(v) as string | Buffer),
        fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes) as string | Buffer),
        // nesting far deeper than any value above (written as text: too deep for JSON.stringify here)
        fc
          .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.boolean(), fc.boolean())
          .map(([depth, arrays, enveloped]) => {
            const deep = arrays
              ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
              : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
            return (enveloped ? `{"type":"message.send","id":77,"data":${deep}}` : deep) as string | Buffer;
          }),
      )
      .map((text) => ({ text, id: typeof text === 'string' ? idOf(text) : null, type: null as string | null }));
    const frame = fc.oneof(
      { weight: 6, arbitrary: mutated },
      { weight: 2, arbitrary: forgedIds },
      { weight: 2, arbitrary: envelope },
      { weight: 1, arbitrary: raw },
    );
    return { anyId, weirdText, scalar, junk, frame };
  }

  /** JSON without Dave: any number equal to the bystander's id is moved off it, so nobody can invite him. */
  function encode(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) => (v === bystanderId ? bystanderId + 100_000 : v)) ?? 'null';
  }

  // ---------- properties ----------

  let pingId = 2_000_000_000;

  it('answers every frame with a documented error or a valid reply, and never leaks a frame', async () => {
    const { frame } = arbitraries();
    let replies = 0;
    let runs = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(frame, async ({ text, id, type }) => {
        runs++;
        const before = alice.frames.length;
        alice.sendRaw(text, Buffer.isBuffer(text));
        const ping = ++pingId;
        alice.sendRaw(JSON.stringify({ type: 'session.ping', id: ping, data: {} }));
        await waitReply(alice, ping);
        const answers = alice.frames
          .slice(before)
          .filter((f) => (f.type === 'reply' || f.type === 'error') && !('replyTo' in f && f.replyTo === ping));
        const oversized = typeof text === 'string' && Buffer.byteLength(text) > 65_536;
        if (id !== null || oversized) {
          expect(answers, `one answer to ${String(text).slice(0, 200)}`).toHaveLength(1);
        } else {
          expect(answers.length).toBeLessThanOrEqual(1);
        }
        for (const answer of answers) {
          if (answer.type === 'error') {
            expect(ERRORS.has(answer.data.code), `documented code: ${JSON.stringify(answer)}`).toBe(true);
            expect(answer.data.code).not.toBe('INTERNAL');
            expect(typeof answer.data.message).toBe('string');
            codes.set(answer.data.code, (codes.get(answer.data.code) ?? 0) + 1);
            if ('replyTo' in answer && answer.replyTo !== undefined && !oversized) {
              expect(answer.replyTo).toBe(id);
            }
          } else if (answer.type === 'reply') {
            replies++;
            expect(answer.replyTo).toBe(id);
            expect(type !== null && isClientType(type)).toBe(true);
            const parsed = clientRequests[type as ClientType].reply.safeParse(answer.data);
            expect(parsed.success, `valid ${type} reply: ${JSON.stringify(answer.data).slice(0, 300)}`).toBe(true);
          }
        }
        expect(alice.closed?.code ?? null).toBeNull();
        for (const observer of observers) {
          expect(observer.check()).toEqual([]);
        }
      }),
      { numRuns: WS_RUNS, seed: SEED, endOnFailure: true, interruptAfterTimeLimit: 25_000 },
    );
    expect(isRunning(instance.process)).toBe(true);
    console.log(
      `ws fuzz: ${runs} frames, ${replies} replies; errors ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`,
    );
  }, 60_000);

  it('refuses every forged id of another user: not found, never the data', async () => {
    let forgedCount = 0;
    const foreignRoom = fc.constantFrom(...ids.foreignRooms);
    const foreignMessage = fc.constantFrom(...ids.foreignMessages);
    const foreignChannel = fc.constantFrom(...ids.foreignChannels);
    const forged = fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'message.history',
            'message.search',
            'message.pins',
            'typing.start',
            'room.members',
            'room.updateSettings',
            'room.update',
            'room.leave',
            'room.delete',
            'message.send',
            'room.invite',
          ),
          foreignRoom,
        )
        .map(([type, roomId]) => ({
          type,
          data: {
            roomId,
            ...(type === 'message.search' ? { query: 'not' } : {}),
            ...(type === 'message.send' ? { content: 'sneaky', localId: `forged-${++forgedCount}` } : {}),
            ...(type === 'room.invite' ? { userIds: [ids.own[ids.own.length - 1]] } : {}),
            ...(type === 'room.update' ? { name: 'mine now' } : {}),
            ...(type === 'room.updateSettings' ? { volume: 1 } : {}),
          },
          expected: 'ROOM_NOT_FOUND',
        })),
      fc
        .tuple(fc.constantFrom('message.edit', 'message.delete', 'message.react', 'message.pin'), foreignMessage)
        .map(([type, messageId]) => ({
          type,
          data: {
            messageId,
            ...(type === 'message.edit' ? { content: 'mine now' } : {}),
            ...(type === 'message.react' ? { emoji: '👍', on: true } : {}),
            ...(type === 'message.pin' ? { pinned: true } : {}),
          },
          expected: 'MESSAGE_NOT_FOUND',
        })),
      fc
        .tuple(fc.constantFrom('channel.update', 'channel.leave', 'channel.delete'), foreignChannel)
        .map(([type, channelId]) => ({
          type,
          data: { channelId, ...(type === 'channel.update' ? { name: 'mine now' } : {}) },
          expected: 'CHANNEL_NOT_FOUND',
        })),
      foreignMessage.map((messageId) => ({
        type: 'message.read',
        data: { roomId: ALL_ROOM_ID, messageId },
        expected: 'MESSAGE_NOT_FOUND',
      })),
    );
    await fc.assert(
      fc.asyncProperty(forged, async ({ type, data, expected }) => {
        const id = ++pingId;
        const before = alice.frames.length;
        alice.sendRaw(encode({ type, id, data }));
        const answer = await waitReply(alice, id);
        expect(answer, `${type} ${JSON.stringify(data)}`).toMatchObject({ type: 'error', data: { code: expected } });
        // Nothing of it reaches anyone: no event at all follows a refused request.
        expect(
          alice.frames
            .slice(before)
            .filter((f) => f.type !== 'error' && f.type !== 'reply' && !f.type.startsWith('presence.')),
        ).toEqual([]);
        for (const observer of observers) {
          expect(observer.check()).toEqual([]);
        }
      }),
      { numRuns: 100, seed: SEED, endOnFailure: true, interruptAfterTimeLimit: 10_000 },
    );
    const sync = await alice.request('message.sync', {
      rooms: ids.foreignRooms.map((roomId) => ({ roomId, lastMessageId: 0, since: 0 })),
    });
    expect(sync.rooms).toEqual([]);
    expect(sync.removedRoomIds.sort()).toEqual([...ids.foreignRooms].sort());
  }, 30_000);

  it('answers every REST request with a documented error or a valid body', async () => {
    const { anyId, weirdText, scalar, junk } = arbitraries();
    const token = fc.oneof(
      fc.constant(aliceToken),
      fc.constant(undefined),
      fc.constantFrom('x', 'a'.repeat(20), 'a'.repeat(129), `${aliceToken}x`, aliceToken.slice(0, -1) + '0'),
    );
    const segment = fc.oneof(
      anyId.map(String),
      fc.constantFrom('%', '%ff', '%00', '..', '-1', '0', '1e3', '0x10', '1.5', 'NaN', '🦄', '9'.repeat(40), ''),
      fc.string({ maxLength: 12 }),
    );
    const query = fc.dictionary(
      fc.constantFrom('beforeId', 'threadId', 'limit', 'username', 'email', 'x', 'limit[]'),
      fc.oneof(
        segment,
        weirdText.map((t) => t.slice(0, 200)),
      ),
      { maxKeys: 3 },
    );
    const body = fc.oneof(
      fc.record(
        {
          username: fc.oneof(fc.constant(uniqueName('z')), weirdText, scalar),
          password: fc.oneof(fc.constant('secret-pass'), weirdText, scalar),
          email: fc.oneof(fc.constantFrom('a@b.co', 'not-an-email', '@'), weirdText, scalar),
          sex: fc.oneof(fc.constantFrom('male', 'female', 'secret', 'other'), scalar),
          extra: junk,
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          login: fc.oneof(fc.constantFrom('alice', 'x@y.z'), weirdText, scalar),
          password: fc.oneof(weirdText, scalar),
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    const request = fc.oneof(
      fc
        .tuple(fc.constantFrom('/api/auth/sign-up', '/api/auth/sign-in', '/api/auth/sign-out'), body, fc.boolean())
        .map(([path, b, raw]) => ({
          method: 'POST',
          path,
          body: raw ? encode(b).slice(0, -1) : encode(b),
          // Never Alice's real token on sign-out: that would end her fuzzing socket.
          token: undefined as string | undefined,
        })),
      fc
        .tuple(
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
          fc.constantFrom(
            '/api/users',
            '/api/users/me',
            '/api/users/:id/profile',
            '/api/rooms',
            '/api/rooms/:id/members',
            '/api/rooms/:id/messages',
            '/api/auth/username-available',
            '/api/health',
            '/api/nothing/:id',
            '/api/health/ready',
          ),
          segment,
          query,
          token,
          fc.option(body, { nil: undefined }),
        )
        .map(([method, template, id, q, t, b]) => {
          const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString();
          return {
            method,
            path: template.replace(':id', id) + (qs ? `?${qs}` : ''),
            body: b === undefined ? undefined : encode(b),
            token: t,
          };
        }),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body: payload, token: bearer }) => {
        let res: Response;
        try {
          res = await fetch(`${instance.url}${path}`, {
            method,
            headers: {
              ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
              ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
            },
            body: method === 'GET' ? undefined : payload,
          });
        } catch (error) {
          // A URL or header the client library itself refuses is not a server answer; a dead server is.
          expect(isRunning(instance.process)).toBe(true);
          expect(String((error as Error).cause ?? error)).not.toMatch(/ECONNREFUSED|ECONNRESET|socket/);
          return;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        const where = `${method} ${path} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, where).toBeLessThan(500);
        // As the server sees it: no fragment, no trailing slash (Express routes /api/rooms/ as /api/rooms).
        const pathname = new URL(`${instance.url}${path}`).pathname.replace(/(.)\/$/, '$1');
        if (res.status === 204 || method === 'HEAD') {
          return;
        }
        const json = JSON.parse(text) as unknown;
        if (res.status >= 400) {
          const code = (json as { code?: string }).code ?? '';
          expect(ERRORS.has(code), where).toBe(true);
          expect(typeof (json as { message?: unknown }).message, where).toBe('string');
          return;
        }
        const schema = successSchema(method, pathname);
        expect(schema, `a documented success: ${where}`).not.toBeNull();
        expect(schema?.(json), where).toBe(true);
      }),
      { numRuns: REST_RUNS, seed: SEED, endOnFailure: true, interruptAfterTimeLimit: 20_000 },
    );
    expect(isRunning(instance.process)).toBe(true);
    expect((await api(instance, 'GET', '/api/health')).status).toBe(200);
    for (const observer of observers) {
      expect(observer.check()).toEqual([]);
    }
    console.log(`rest fuzz: statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}`);
  }, 40_000);

  it('is still a working chat afterwards', async () => {
    const again = await TestClient.connect(instance, aliceToken);
    const sent = await again.request('message.send', {
      roomId: ALL_ROOM_ID,
      content: 'still here',
      localId: uniqueName('end'),
    });
    const dave = observers.find((o) => o.name.startsWith('dave'));
    await dave?.client.waitFor('message.new', (d) => d.message.id === sent.message.id);
    expect(dave?.check()).toEqual([]);
    expect(dave?.rooms).toEqual(new Set([ALL_ROOM_ID]));
    await again.close();
  });
});

/** The success body of a documented REST endpoint, or null for a path that has none. */
function successSchema(method: string, pathname: string): ((json: unknown) => boolean) | null {
  const ok = (schema: { safeParse(v: unknown): { success: boolean } }) => (json: unknown) =>
    schema.safeParse(json).success;
  if (method === 'POST' && (pathname === '/api/auth/sign-up' || pathname === '/api/auth/sign-in')) {
    return ok(AuthResponse);
  }
  if (method !== 'GET') {
    return null;
  }
  if (pathname === '/api/health' || pathname === '/api/health/ready') {
    return ok(HealthResponse);
  }
  if (pathname === '/api/auth/username-available') {
    return ok(AvailabilityResponse);
  }
  if (pathname === '/api/users') {
    return ok(UsersResponse);
  }
  if (pathname === '/api/users/me') {
    return ok(UserDto);
  }
  if (/^\/api\/users\/[^/]+\/profile$/.test(pathname)) {
    return ok(ProfileResponse);
  }
  if (pathname === '/api/rooms') {
    return (json) => {
      const body = json as { rooms?: unknown[]; states?: unknown[]; channels?: unknown[] };
      return (
        Object.keys(body).sort().join() === 'channels,rooms,states' &&
        (body.rooms ?? [null]).every((r) => RoomDto.safeParse(r).success) &&
        (body.states ?? [null]).every((s) => RoomStateDto.safeParse(s).success) &&
        (body.channels ?? [null]).every((c) => ChannelDto.safeParse(c).success)
      );
    };
  }
  if (/^\/api\/rooms\/[^/]+\/members$/.test(pathname)) {
    return ok(MembersResponse);
  }
  if (/^\/api\/rooms\/[^/]+\/messages$/.test(pathname)) {
    return ok(clientRequests['message.history'].reply);
  }
  return null;
}

/** The answer (reply or error) to request `id`, or a failure if the server does not answer within 5 s. */
function waitReply(client: TestClient, id: number): Promise<ServerFrame> {
  return client.waitFor(
    (f) => (f.type === 'reply' || f.type === 'error') && 'replyTo' in f && f.replyTo === id,
    undefined,
    5_000,
  );
}
