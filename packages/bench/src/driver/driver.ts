/**
 * Load driver: a child process that holds many WebSocket clients and runs the phases the orchestrator
 * asks for over IPC (connect, send at a rate or as fast as allowed, reconnect storm, history pages).
 * It speaks Pychat's documented protocol; the baselines answer the same frames.
 *
 * Hot path: every delivered frame is classified by its first bytes and the send timestamp is read out of
 * the message content without JSON.parse, so one driver can take a few hundred thousand frames/s.
 */
import { WebSocket } from 'ws';
import { Histogram } from '../histogram';
import type {
  ClientSpec,
  ConnectResult,
  DriverCommand,
  DriverReply,
  HistoryResult,
  LoadSpec,
  LoadStats,
  StormResult,
} from './ipc';

/** Monotonic clock in µs (CLOCK_MONOTONIC: the same in every process of this machine). */
function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

const P_READY = Buffer.from('{"type":"session.ready"');
const P_NEW = Buffer.from('{"type":"message.new"');
const P_NEW_ID = Buffer.from('{"type":"message.new","data":{"message":{"id":');
const P_REPLY = Buffer.from('{"type":"reply"');
const P_ERROR = Buffer.from('{"type":"error"');
/** Start of the bench's message content: `bm|<sent µs>|<driver>:<slot>:<seq>|padding`. */
const MARK = Buffer.from('bm|');
const PING = '{"type":"session.ping","data":{}}';
/** A rate-mode sender never has more than this many messages outstanding. */
const MAX_OUTSTANDING = 1_000;
const SEND_TIMEOUT_MS = 30_000;

function hasPrefix(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** Reads a decimal integer at `pos`; returns [value, position after it]. */
function readInt(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let i = pos;
  while (i < buf.length) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) {
      break;
    }
    value = value * 10 + d;
    i++;
  }
  return [value, i];
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

type Pending =
  | { kind: 'send'; sender: Sender; seq: number; t0: number }
  | { kind: 'request'; t0: number; resolve: (data: unknown) => void; reject: (error: Error) => void };

interface Client {
  index: number;
  spec: ClientSpec;
  ws: WebSocket | null;
  ready: boolean;
  /** Set before we terminate the socket ourselves, so the close does not count as an error. */
  dropping: boolean;
  nextId: number;
  pending: Map<number, Pending>;
  nextPingAt: number;
  trackedMin: number;
  trackedCount: number;
}

interface Sender {
  client: Client;
  slot: number;
  roomId: number;
  roomSize: number;
  seq: number;
  sent: number;
  /** seq → 1 answered, 2 own copy received; done at 3. */
  inflight: Map<number, number>;
  startUs: number;
}

class LoadState {
  sends = 0;
  acks = 0;
  duplicates = 0;
  errors = 0;
  errorCodes: Record<string, number> = {};
  awaitingAck = 0;
  deliveries = 0;
  expected = 0;
  otherFrames = 0;
  otherBytes = 0;
  closes = 0;
  firstSendAt = 0;
  lastDeliveryAt = 0;
  lastAckAt = 0;
  sendersDone = true;
  latency = new Histogram();
  ackLatency = new Histogram();

  stats(): LoadStats {
    return {
      sends: this.sends,
      acks: this.acks,
      duplicates: this.duplicates,
      errors: this.errors,
      errorCodes: this.errorCodes,
      unanswered: this.awaitingAck,
      deliveries: this.deliveries,
      expected: this.expected,
      otherFrames: this.otherFrames,
      closes: this.closes,
      firstSendAt: this.firstSendAt,
      lastDeliveryAt: this.lastDeliveryAt,
      lastAckAt: this.lastAckAt,
      sendersDone: this.sendersDone,
      latency: this.latency.toData(),
      ackLatency: this.ackLatency.toData(),
    };
  }
}

class Driver {
  driverId = 0;
  clients: Client[] = [];
  pingIntervalMs = 0;
  padding = '';
  runTag = '';
  load = new LoadState();
  spec: LoadSpec | null = null;
  senders: Sender[] = [];
  #senderTimer: NodeJS.Timeout | undefined;
  #stopTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** Frames other than session.ready received while connecting (presence floods show up here). */
  connectOther = 0;
  connectOtherBytes = 0;
  /** Bytes of session.ready frames received while connecting. */
  readyBytes = 0;

  init(command: Extract<DriverCommand, { cmd: 'init' }>): { clients: number } {
    this.driverId = command.driverId;
    this.runTag = command.runTag;
    this.pingIntervalMs = command.pingIntervalMs;
    // Content = "bm|" + 16-digit time + "|d:s:seq|" + padding: pad to about payloadBytes characters.
    this.padding = 'x'.repeat(Math.max(0, command.payloadBytes - 32));
    this.clients = command.clients.map((spec, index) => ({
      index,
      spec,
      ws: null,
      ready: false,
      dropping: false,
      nextId: 1,
      pending: new Map(),
      nextPingAt: 0,
      trackedMin: Infinity,
      trackedCount: 0,
    }));
    if (this.pingIntervalMs > 0) {
      this.#pingTimer = setInterval(() => this.pingDue(), 1_000);
    }
    this.#sweepTimer = setInterval(() => this.sweepTimeouts(), 1_000);
    return { clients: this.clients.length };
  }

  /** Opens one client and resolves on its first frame (session.ready). */
  open(c: Client, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(c.spec.url, {
        headers: c.spec.token ? { authorization: `Bearer ${c.spec.token}` } : undefined,
        perMessageDeflate: false,
        handshakeTimeout: Math.max(1, timeoutMs),
      });
      c.ws = ws;
      c.ready = false;
      c.dropping = false;
      const timer = setTimeout(() => {
        fail('timeout');
        // Our own doing: not a close by the server.
        c.dropping = true;
        ws.terminate();
      }, timeoutMs);
      const fail = (reason: string) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(reason));
        }
      };
      ws.on('message', (data: Buffer) => {
        if (c.ready) {
          this.onFrame(c, data);
        } else if (hasPrefix(data, P_READY)) {
          this.readyBytes += data.length;
          c.ready = true;
          c.nextPingAt = Date.now() + Math.random() * this.pingIntervalMs;
          if (c.spec.presence) {
            // As the web app does after session.ready (protocol v3); the reply is not a presence frame.
            this.request(c, 'presence.subscribe', { userIds: c.spec.presence }).catch(() => undefined);
          }
          settled = true;
          clearTimeout(timer);
          resolve();
        } else {
          this.connectOther++;
          this.connectOtherBytes += data.length;
        }
      });
      ws.on('error', (error: Error) => fail(error.message.slice(0, 60)));
      ws.on('close', (code: number) => {
        c.ready = false;
        this.failPending(c, `closed ${code}`);
        if (!settled) {
          fail(`closed ${code}`);
        } else if (!c.dropping && c.ws === ws) {
          this.load.closes++;
          bump(this.load.errorCodes, `close ${code}`);
        }
      });
    });
  }

  async connect(concurrency: number, timeoutMs: number): Promise<ConnectResult> {
    const started = nowUs();
    const deadline = Date.now() + timeoutMs;
    const latency = new Histogram();
    const failures: Record<string, number> = {};
    this.connectOther = 0;
    this.connectOtherBytes = 0;
    this.readyBytes = 0;
    // Frames reaching clients already connected (presence of the next ones…) count for this phase too.
    this.load = new LoadState();
    let next = 0;
    let connected = 0;
    let failed = 0;
    const failedClients: number[] = [];
    const worker = async () => {
      while (next < this.clients.length) {
        const c = this.clients[next++];
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          failed++;
          failedClients.push(c.index);
          bump(failures, 'connect phase deadline');
          continue;
        }
        const t0 = nowUs();
        try {
          await this.open(c, remaining);
          latency.record(nowUs() - t0);
          connected++;
        } catch (error) {
          failed++;
          failedClients.push(c.index);
          bump(failures, (error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, this.clients.length)) }, worker));
    return {
      connected,
      failed,
      failures,
      ms: (nowUs() - started) / 1000,
      latency: latency.toData(),
      failedClients,
      otherFrames: this.connectOther + this.load.otherFrames,
      otherBytes: this.connectOtherBytes + this.load.otherBytes,
      readyBytes: this.readyBytes,
    };
  }

  onFrame(c: Client, buf: Buffer): void {
    const load = this.load;
    if (hasPrefix(buf, P_NEW)) {
      const mark = buf.indexOf(MARK, P_NEW.length);
      if (mark < 0) {
        load.otherFrames++;
        load.otherBytes += buf.length;
        return;
      }
      const at = nowUs();
      const [sentAt, p1] = readInt(buf, mark + MARK.length);
      const [driverId, p2] = readInt(buf, p1 + 1);
      const [slot, p3] = readInt(buf, p2 + 1);
      const [seq] = readInt(buf, p3 + 1);
      load.deliveries++;
      load.lastDeliveryAt = at;
      load.latency.record(at - sentAt);
      if (this.spec?.trackIds && hasPrefix(buf, P_NEW_ID)) {
        const [id] = readInt(buf, P_NEW_ID.length);
        c.trackedMin = Math.min(c.trackedMin, id);
        c.trackedCount++;
      }
      if (driverId === this.driverId) {
        const sender = this.senders[slot];
        if (sender && sender.client === c) {
          this.complete(sender, seq, 2);
        }
      }
      return;
    }
    if (hasPrefix(buf, P_REPLY) || hasPrefix(buf, P_ERROR)) {
      const frame = JSON.parse(buf.toString('utf8')) as {
        type: 'reply' | 'error';
        replyTo?: number;
        data: { code?: string; duplicate?: boolean };
      };
      this.onAnswer(c, frame);
      return;
    }
    load.otherFrames++;
    load.otherBytes += buf.length;
  }

  onAnswer(
    c: Client,
    frame: { type: 'reply' | 'error'; replyTo?: number; data: { code?: string; duplicate?: boolean } },
  ) {
    const load = this.load;
    const pending = frame.replyTo === undefined ? undefined : c.pending.get(frame.replyTo);
    if (frame.type === 'error') {
      load.errors++;
      bump(load.errorCodes, frame.data.code ?? 'error');
    }
    if (!pending || frame.replyTo === undefined) {
      return;
    }
    c.pending.delete(frame.replyTo);
    if (pending.kind === 'request') {
      if (frame.type === 'error') {
        pending.reject(new Error(frame.data.code ?? 'error'));
      } else {
        pending.resolve(frame.data);
      }
      return;
    }
    load.awaitingAck--;
    const sender = pending.sender;
    if (frame.type === 'error') {
      sender.inflight.delete(pending.seq);
      this.pump(sender);
      return;
    }
    const at = nowUs();
    load.acks++;
    load.lastAckAt = at;
    load.ackLatency.record(at - pending.t0);
    if (frame.data.duplicate) {
      // A duplicate is not fanned out again: nothing is expected from it.
      load.duplicates++;
      sender.inflight.delete(pending.seq);
      this.pump(sender);
      return;
    }
    load.expected += sender.roomSize;
    this.complete(sender, pending.seq, 1);
  }

  failPending(c: Client, reason: string): void {
    for (const [id, pending] of c.pending) {
      c.pending.delete(id);
      if (pending.kind === 'request') {
        pending.reject(new Error(reason));
      } else {
        this.load.awaitingAck--;
        this.load.errors++;
        bump(this.load.errorCodes, `send lost: ${reason}`);
        pending.sender.inflight.delete(pending.seq);
      }
    }
  }

  /** Sends unanswered for SEND_TIMEOUT_MS count as errors, so a phase always ends. */
  sweepTimeouts(): void {
    const limit = nowUs() - SEND_TIMEOUT_MS * 1000;
    for (const sender of this.senders) {
      for (const [id, pending] of sender.client.pending) {
        if (pending.kind === 'send' && pending.t0 < limit) {
          sender.client.pending.delete(id);
          sender.inflight.delete(pending.seq);
          this.load.awaitingAck--;
          this.load.errors++;
          bump(this.load.errorCodes, 'send timeout');
        }
      }
    }
  }

  complete(sender: Sender, seq: number, flag: number): void {
    const state = sender.inflight.get(seq);
    if (state === undefined) {
      return;
    }
    const next = state | flag;
    if (next === 3) {
      sender.inflight.delete(seq);
      this.pump(sender);
    } else {
      sender.inflight.set(seq, next);
    }
  }

  /** Closed loop: keep `window` messages in flight (answered and echoed back count as done). */
  pump(sender: Sender): void {
    const spec = this.spec;
    if (!spec || spec.mode !== 'max' || this.load.sendersDone) {
      return;
    }
    while (sender.inflight.size < spec.window) {
      if (!this.send(sender)) {
        return;
      }
    }
  }

  send(sender: Sender): boolean {
    const c = sender.client;
    if (!c.ready || !c.ws) {
      this.load.errors++;
      bump(this.load.errorCodes, 'sender not connected');
      return false;
    }
    const seq = ++sender.seq;
    const id = c.nextId++;
    const ts = Math.round(nowUs());
    const content = `bm|${ts}|${this.driverId}:${sender.slot}:${seq}|${this.padding}`;
    const localId = `${this.runTag}${this.spec?.tag ?? ''}.${this.driverId}.${sender.slot}.${seq}`;
    c.pending.set(id, { kind: 'send', sender, seq, t0: ts });
    sender.inflight.set(seq, 0);
    sender.sent++;
    this.load.sends++;
    this.load.awaitingAck++;
    if (this.load.firstSendAt === 0) {
      this.load.firstSendAt = ts;
    }
    c.ws.send(
      `{"type":"message.send","id":${id},"data":{"roomId":${sender.roomId},"content":"${content}","localId":"${localId}"}}`,
    );
    return true;
  }

  loadStart(spec: LoadSpec): { senders: number } {
    this.load = new LoadState();
    this.load.sendersDone = false;
    this.spec = spec;
    for (const c of this.clients) {
      c.trackedMin = Infinity;
      c.trackedCount = 0;
    }
    const start = nowUs();
    const count = spec.senders.length;
    const periodUs = spec.ratePerSender > 0 ? 1e6 / spec.ratePerSender : 0;
    this.senders = spec.senders.map((s, slot) => ({
      client: this.clients[s.client],
      slot,
      roomId: s.roomId,
      roomSize: s.roomSize,
      seq: 0,
      sent: 0,
      inflight: new Map(),
      // Spread rate-mode senders over one period so they do not all fire on the same tick.
      startUs: start + (count > 0 ? (slot / count) * periodUs : 0),
    }));
    if (spec.mode === 'max') {
      for (const sender of this.senders) {
        this.pump(sender);
      }
    } else {
      this.#senderTimer = setInterval(() => this.tickRate(), 5);
      this.tickRate();
    }
    this.#stopTimer = setTimeout(() => this.stopSenders(), spec.durationMs);
    return { senders: this.senders.length };
  }

  tickRate(): void {
    const spec = this.spec;
    if (!spec || this.load.sendersDone) {
      return;
    }
    const now = nowUs();
    for (const sender of this.senders) {
      if (now < sender.startUs) {
        continue;
      }
      let due = Math.floor(((now - sender.startUs) / 1e6) * spec.ratePerSender) + 1 - sender.sent;
      while (due-- > 0) {
        if (sender.inflight.size >= MAX_OUTSTANDING) {
          this.load.errors++;
          bump(this.load.errorCodes, 'sender backlog full');
          sender.sent++;
          continue;
        }
        if (!this.send(sender)) {
          sender.sent++;
        }
      }
    }
  }

  stopSenders(): void {
    this.load.sendersDone = true;
    clearInterval(this.#senderTimer);
    clearTimeout(this.#stopTimer);
  }

  loadEnd(): LoadStats {
    this.stopSenders();
    const stats = this.load.stats();
    this.spec = this.spec ? { ...this.spec, trackIds: false } : null;
    this.senders = [];
    return stats;
  }

  pingDue(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.ready && c.ws && now >= c.nextPingAt) {
        c.nextPingAt = now + this.pingIntervalMs;
        c.ws.send(PING);
      }
    }
  }

  request(c: Client, type: string, data: unknown, timeoutMs = 30_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!c.ws || !c.ready) {
        reject(new Error('not connected'));
        return;
      }
      const id = c.nextId++;
      const timer = setTimeout(() => {
        c.pending.delete(id);
        reject(new Error('request timeout'));
      }, timeoutMs);
      c.pending.set(id, {
        kind: 'request',
        t0: nowUs(),
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      c.ws.send(JSON.stringify({ type, id, data }));
    });
  }

  drop(c: Client): void {
    c.dropping = true;
    c.ready = false;
    c.ws?.terminate();
    c.ws = null;
  }

  /** Every client drops its socket and reconnects at once, then resyncs the room with message.sync. */
  async storm(roomId: number, timeoutMs: number): Promise<StormResult> {
    for (const c of this.clients) {
      this.drop(c);
    }
    const started = nowUs();
    const deadline = Date.now() + timeoutMs;
    const latency = new Histogram();
    const failures: Record<string, number> = {};
    let resynced = 0;
    let failed = 0;
    let syncedMessages = 0;
    await Promise.all(
      this.clients.map(async (c) => {
        try {
          await this.open(c, deadline - Date.now());
          const reply = (await this.request(
            c,
            'message.sync',
            {
              rooms: [
                {
                  roomId,
                  lastMessageId: Number.isFinite(c.trackedMin) ? c.trackedMin - 1 : 0,
                  since: Date.now() - 60_000,
                },
              ],
            },
            Math.max(1, deadline - Date.now()),
          )) as { rooms: { messages: unknown[] }[] };
          const got = reply.rooms.reduce((n, r) => n + r.messages.length, 0);
          syncedMessages += got;
          if (got < c.trackedCount) {
            throw new Error(`sync returned ${got} of ${c.trackedCount} messages`);
          }
          latency.record(nowUs() - started);
          resynced++;
        } catch (error) {
          failed++;
          bump(failures, (error as Error).message);
        }
      }),
    );
    return {
      clients: this.clients.length,
      resynced,
      failed,
      failures,
      ms: (nowUs() - started) / 1000,
      latency: latency.toData(),
      syncedMessages,
    };
  }

  /** Client 0 reconnects `reconnects` times (session.ready latency), then pages through history. */
  async history(
    roomId: number,
    requests: { label: string; beforeId?: number }[],
    reconnects: number,
  ): Promise<HistoryResult> {
    const c = this.clients[0];
    const connect = new Histogram();
    const pages: Record<string, Histogram> = {};
    const errorCodes: Record<string, number> = {};
    let errors = 0;
    let messages = 0;
    for (let i = 0; i < reconnects; i++) {
      this.drop(c);
      const t0 = nowUs();
      await this.open(c, 60_000);
      connect.record(nowUs() - t0);
    }
    if (!c.ready) {
      await this.open(c, 60_000);
    }
    for (const req of requests) {
      const hist = (pages[req.label] ??= new Histogram());
      const data: Record<string, number> = { roomId, limit: 50 };
      if (req.beforeId !== undefined) {
        data.beforeId = req.beforeId;
      }
      const t0 = nowUs();
      try {
        const reply = (await this.request(c, 'message.history', data)) as { messages: unknown[] };
        hist.record(nowUs() - t0);
        messages += reply.messages.length;
        if (reply.messages.length !== 50) {
          errors++;
          bump(errorCodes, `page of ${reply.messages.length}`);
        }
      } catch (error) {
        errors++;
        bump(errorCodes, (error as Error).message);
      }
    }
    return {
      pages: Object.fromEntries(Object.entries(pages).map(([k, h]) => [k, h.toData()])),
      errors,
      errorCodes,
      messages,
      connect: connect.toData(),
    };
  }

  close(): void {
    clearInterval(this.#pingTimer);
    clearInterval(this.#sweepTimer);
    this.stopSenders();
    for (const c of this.clients) {
      this.drop(c);
    }
  }
}

const driver = new Driver();

async function handle(command: DriverCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'init':
      return driver.init(command);
    case 'connect':
      return driver.connect(command.concurrency, command.timeoutMs);
    case 'load-start':
      return driver.loadStart(command);
    case 'stats':
      return driver.load.stats();
    case 'load-end':
      return driver.loadEnd();
    case 'storm':
      return driver.storm(command.roomId, command.timeoutMs);
    case 'history':
      return driver.history(command.roomId, command.requests, command.reconnects);
    case 'close':
      driver.close();
      return {};
  }
}

process.on('message', (message: { seq: number; command: DriverCommand }) => {
  handle(message.command).then(
    (result) => process.send?.({ seq: message.seq, ok: true, result } satisfies DriverReply),
    (error: unknown) =>
      process.send?.({
        seq: message.seq,
        ok: false,
        error: String((error as Error).stack ?? error),
      } satisfies DriverReply),
  );
});
// The orchestrator owns this process: when it goes away, so do we.
process.on('disconnect', () => {
  driver.close();
  process.exit(0);
});
