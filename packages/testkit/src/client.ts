import type {
  ClientMessages,
  ClientReplies,
  ClientType,
  ErrorBody,
  ServerEventType,
  ServerFrame,
  ServerMessages,
} from '@pychat/protocol';
import WebSocket from 'ws';

/** How long any wait of a client (the handshake, a reply, a frame) lasts before it fails, unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A request answered with an error frame; `body` is that frame's documented ErrorBody. */
export class RequestError extends Error {
  constructor(readonly body: ErrorBody) {
    super(`${body.code}: ${body.message}`);
  }
}

/** A wait that ended because the socket closed: nothing can arrive any more, so it fails now, not at its timeout. */
export class SocketClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    what: string,
  ) {
    super(`socket closed (${code}${reason ? ` ${reason}` : ''}) while waiting for ${what}`);
  }
}

export interface ConnectOptions {
  /** `usersSince=` on the URL: the server sends the user directory as a delta since then. */
  usersSince?: number;
  /** More upgrade headers (cookie, x-forwarded-for…); a token passed to connect adds `authorization`. */
  headers?: Record<string, string>;
  /** The Origin header of a browser. */
  origin?: string;
  /** ws offers permessage-deflate unless this is false. */
  perMessageDeflate?: boolean;
  /** This client's default for every wait, the handshake and session.ready included. */
  timeoutMs?: number;
}

interface Waiter {
  match: (frame: ServerFrame) => boolean;
  what: string;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
}

const isAnswerTo = (id: number) => (f: ServerFrame) =>
  (f.type === 'reply' || f.type === 'error') && 'replyTo' in f && f.replyTo === id;

/**
 * A plain WebSocket client of the documented protocol (what a third-party client would write). It records
 * every frame it receives, in order, so a test can wait for one that came already or is still to come.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  /** Set when the socket has closed, by either side. */
  closed: { code: number; reason: string } | null = null;
  #nextId = 1;
  readonly #waiters = new Set<Waiter>();

  private constructor(
    readonly ws: WebSocket,
    readonly timeoutMs: number,
  ) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as ServerFrame;
      this.frames.push(frame);
      for (const waiter of this.#waiters) {
        if (waiter.match(frame)) {
          this.#waiters.delete(waiter);
          waiter.resolve(frame);
        }
      }
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      for (const waiter of this.#waiters) {
        waiter.reject(new SocketClosedError(code, this.closed.reason, waiter.what));
      }
      this.#waiters.clear();
    });
    // ws always emits 'close' after 'error'; without a listener a late error (a reset) would crash the run.
    ws.on('error', () => undefined);
  }

  /** Opens a socket (with `authorization: Bearer <token>` when a token is given) and waits for session.ready. */
  static async connect(
    target: { wsUrl: string },
    token?: string | null,
    options: ConnectOptions = {},
  ): Promise<TestClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const url = new URL(target.wsUrl);
    if (options.usersSince !== undefined) {
      url.searchParams.set('usersSince', String(options.usersSince));
    }
    const ws = new WebSocket(url, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      handshakeTimeout: timeoutMs,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.perMessageDeflate === undefined ? {} : { perMessageDeflate: options.perMessageDeflate }),
    });
    const client = new TestClient(ws, timeoutMs);
    const ready = client.waitFor('session.ready');
    // A refused upgrade rejects below; this wait must not then surface as an unhandled rejection.
    ready.catch(() => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
      await ready;
    } catch (error) {
      ws.terminate();
      throw error;
    }
    return client;
  }

  get ready(): ServerMessages['session.ready'] {
    const frame = this.frames.find((f) => f.type === 'session.ready');
    return (frame as { data: ServerMessages['session.ready'] }).data;
  }

  /** Sends bytes as they are: malformed frames, binary frames, hand-built requests. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and resolves with its reply, or rejects with RequestError carrying the error frame. */
  async request<K extends ClientType>(
    type: K,
    data: ClientMessages[K],
    timeoutMs = this.timeoutMs,
  ): Promise<ClientReplies[K]> {
    const id = this.#nextId++;
    // Only an answer that arrives from now on: raw frames sent earlier with the same id (fuzzing) were
    // answered with that replyTo too, and must not be taken for this request's answer.
    const answer = this.#wait(isAnswerTo(id), `the answer to ${type} #${id}`, timeoutMs, this.frames.length);
    this.ws.send(JSON.stringify({ type, id, data }));
    const frame = await answer;
    if (frame.type === 'error') {
      throw new RequestError(frame.data as ErrorBody);
    }
    return frame.data as ClientReplies[K];
  }

  /** Resolves with the error body of a request that must fail. */
  async requestError<K extends ClientType>(type: K, data: unknown): Promise<ErrorBody> {
    try {
      await this.request(type, data as ClientMessages[K]);
    } catch (error) {
      if (error instanceof RequestError) {
        return error.body;
      }
      throw error;
    }
    throw new Error(`${type} was expected to fail`);
  }

  /** Waits for the first frame (already received or future) of a type matching a predicate. */
  waitFor<K extends ServerEventType>(
    type: K,
    predicate?: (data: ServerMessages[K]) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessages[K]>;
  waitFor(match: (f: ServerFrame) => boolean, predicate?: undefined, timeoutMs?: number): Promise<ServerFrame>;
  async waitFor(
    typeOrMatch: string | ((f: ServerFrame) => boolean),
    predicate?: (data: never) => boolean,
    timeoutMs = this.timeoutMs,
  ): Promise<unknown> {
    if (typeof typeOrMatch === 'function') {
      return this.#wait(typeOrMatch, 'a matching frame', timeoutMs);
    }
    const frame = await this.#wait(
      (f) => f.type === typeOrMatch && (!predicate || predicate(f.data as never)),
      typeOrMatch,
      timeoutMs,
    );
    return frame.data;
  }

  /** Every received frame of a type. */
  all<K extends ServerEventType>(type: K): ServerMessages[K][] {
    return this.frames.filter((f) => f.type === type).map((f) => f.data as ServerMessages[K]);
  }

  /** Round-trips a ping, so every frame the server sent before it has arrived. */
  async settle(): Promise<void> {
    await this.request('session.ping', {});
  }

  /** Closes with the normal handshake and resolves once the socket is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  /** Drops the connection at once, without a close handshake (a vanished client). */
  terminate(): void {
    this.ws.terminate();
  }

  /** The first frame from index `from` on (already received or future) that matches. */
  #wait(match: (f: ServerFrame) => boolean, what: string, timeoutMs: number, from = 0): Promise<ServerFrame> {
    const existing = this.frames.slice(from).find(match);
    if (existing) {
      return Promise.resolve(existing);
    }
    if (this.closed) {
      return Promise.reject(new SocketClosedError(this.closed.code, this.closed.reason, what));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        what,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

/** Settles every client (see TestClient.settle). */
export async function settleAll(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.settle()));
}
