import type {
  ClientMessages,
  ClientReplies,
  ClientType,
  ErrorBody,
  ServerEventFrame,
  ServerFrame,
} from '@pychat/protocol';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@pychat/protocol/constants';
import type { Logger } from './logger';

export class WsRequestError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }

  get code(): string {
    return this.body.code;
  }
}

/** The socket closed before the answer came: the request may or may not have been applied. */
export class WsDisconnectedError extends Error {
  constructor() {
    super('Connection lost');
  }
}

export interface WsOptions {
  /** Client heartbeat: a session.ping this often... */
  pingIntervalMs: number;
  /** ...which must be answered within this, or the socket is considered dead and replaced. */
  pongTimeoutMs: number;
  /** Reconnect backoff: first delay, doubled up to the maximum, with ±30% jitter. */
  minBackoffMs: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
}

const DEFAULTS: WsOptions = {
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  minBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 20_000,
};

export interface WsListener {
  onFrame(frame: ServerEventFrame): void;
  onOpen(): void;
  onClose(code: number): void;
  /** The session is gone (4001, or the server refused the upgrade): sign in again. */
  onSessionEnded(): void;
  /**
   * Extra query parameters of the next connect, read at every (re)connect: `usersSince` when a user directory
   * is cached (protocol v2). Undefined values are left out.
   */
  connectParams?(): Record<string, string | number | undefined>;
}

interface PendingRequest {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One WebSocket with heartbeat, reconnect with backoff, and typed request/reply (ws README heartbeat recipe). */
export class WsService {
  readonly #options: WsOptions;
  #socket: WebSocket | null = null;
  #listener: WsListener | null = null;
  #nextId = 1;
  #pending = new Map<number, PendingRequest>();
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #wanted = false;
  #everOpened = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    options: Partial<WsOptions> = {},
  ) {
    this.#options = { ...DEFAULTS, ...options };
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  setListener(listener: WsListener): void {
    this.#listener = listener;
  }

  connect(): void {
    this.#wanted = true;
    if (this.#socket && this.#socket.readyState <= WebSocket.OPEN) {
      return;
    }
    clearTimeout(this.#reconnectTimer);
    const socket = new WebSocket(this.#connectUrl());
    this.#socket = socket;
    this.#everOpened = false;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#everOpened = true;
      this.logger.log('connected')();
      this.#startHeartbeat();
      this.#listener?.onOpen();
    };
    socket.onmessage = (event: MessageEvent<string>) => this.#onMessage(event.data);
    socket.onclose = (event) => this.#onClose(socket, event.code);
  }

  /** Closes for good (sign-out); no reconnect. */
  disconnect(): void {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'bye');
  }

  /** Reconnects now, e.g. when the browser says it is back online. */
  reconnectNow(): void {
    if (this.#wanted && !this.isOpen) {
      this.#attempt = 0;
      this.connect();
    }
  }

  request<K extends ClientType>(
    type: K,
    data: ClientMessages[K],
    timeoutMs = this.#options.requestTimeoutMs,
  ): Promise<ClientReplies[K]> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new WsDisconnectedError());
    }
    const id = this.#nextId++;
    return new Promise<ClientReplies[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new WsDisconnectedError());
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ type, id, data }));
    });
  }

  /** Fire and forget (typing). */
  send<K extends ClientType>(type: K, data: ClientMessages[K]): void {
    if (this.isOpen) {
      this.#socket?.send(JSON.stringify({ type, data }));
    }
  }

  #connectUrl(): string {
    const params = new URLSearchParams({ v: String(PROTOCOL_VERSION) });
    for (const [key, value] of Object.entries(this.#listener?.connectParams?.() ?? {})) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    return `${this.url}?${params.toString()}`;
  }

  #onMessage(raw: string): void {
    const frame = JSON.parse(raw) as ServerFrame;
    if (frame.type === 'reply' || frame.type === 'error') {
      const replyTo = 'replyTo' in frame ? frame.replyTo : undefined;
      const pending = replyTo === undefined ? undefined : this.#pending.get(replyTo);
      if (pending && replyTo !== undefined) {
        this.#pending.delete(replyTo);
        clearTimeout(pending.timer);
        if (frame.type === 'reply') {
          pending.resolve(frame.data);
        } else {
          pending.reject(new WsRequestError(frame.data));
        }
      } else if (frame.type === 'error') {
        this.logger.warn('server error {}', frame.data)();
      }
      return;
    }
    this.#listener?.onFrame(frame);
  }

  #onClose(socket: WebSocket, code: number): void {
    if (socket !== this.#socket) {
      return;
    }
    clearInterval(this.#pingTimer);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new WsDisconnectedError());
    }
    this.#pending.clear();
    this.#socket = null;
    this.logger.log('closed {}', code)();
    this.#listener?.onClose(code);
    if (code === CLOSE_CODES.SESSION_ENDED) {
      this.#wanted = false;
      this.#listener?.onSessionEnded();
      return;
    }
    if (!this.#wanted) {
      return;
    }
    // A refused upgrade (401) looks like 1006 before open; the listener checks the session over HTTP.
    if (!this.#everOpened && code === 1006 && this.#attempt >= 1) {
      this.#listener?.onSessionEnded();
    }
    const delay = Math.min(this.#options.maxBackoffMs, this.#options.minBackoffMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const jittered = delay * (0.7 + Math.random() * 0.6);
    this.#reconnectTimer = setTimeout(() => this.connect(), jittered);
  }

  #startHeartbeat(): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      const socket = this.#socket;
      this.request('session.ping', {}, this.#options.pongTimeoutMs).then(
        () => undefined,
        () => {
          // No pong in time: the socket is dead (sleep, network change); replace it.
          if (socket && socket === this.#socket) {
            socket.close(4000, 'heartbeat timeout');
          }
        },
      );
    }, this.#options.pingIntervalMs);
  }
}
