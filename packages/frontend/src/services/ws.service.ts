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
  /** A socket not open after this is given up (a dropped SYN or an unanswered upgrade hangs for minutes). */
  connectTimeoutMs: number;
}

const DEFAULTS: WsOptions = {
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  minBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 20_000,
  connectTimeoutMs: 15_000,
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
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
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
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => {
      if (socket === this.#socket && socket.readyState === WebSocket.CONNECTING) {
        this.#abandon(socket, 4000, 'connect timeout');
      }
    }, this.#options.connectTimeoutMs);
    socket.onopen = () => {
      if (socket !== this.#socket) {
        return;
      }
      clearTimeout(this.#connectTimer);
      this.#attempt = 0;
      this.#everOpened = true;
      this.logger.log('connected')();
      this.#startHeartbeat();
      this.#listener?.onOpen();
    };
    // Events of a socket already given up (late close after a heartbeat timeout, a late frame) are ignored.
    socket.onmessage = (event: MessageEvent<string>) => {
      if (socket === this.#socket) {
        this.#onMessage(event.data);
      }
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) {
        this.#lost(socket, event.code);
      }
    };
  }

  /** Closes for good (sign-out); no reconnect. */
  disconnect(): void {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'bye');
  }

  /**
   * The browser says it is back online: a socket not open yet may be stuck on the old network, so it is replaced
   * by a fresh one at once (no backoff wait); an open one is asked for a pong now.
   */
  reconnectNow(): void {
    if (!this.#wanted) {
      return;
    }
    const socket = this.#socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      this.#ping(socket);
      return;
    }
    if (socket) {
      this.#discard(socket);
    }
    this.#attempt = 0;
    this.connect();
  }

  /** Window focus: connects if nothing is connected or connecting (a focus must not cut a connect short). */
  connectIfIdle(): void {
    if (this.#wanted && !this.#socket) {
      this.#attempt = 0;
      this.connect();
    }
  }

  /**
   * The browser says it went offline: the link is treated as dead at once (its close would come only when the
   * network returns) and a fresh socket is tried, which fails fast while offline and backs off.
   */
  wentOffline(): void {
    const socket = this.#socket;
    if (this.#wanted && socket) {
      this.#abandon(socket, 4000, 'browser offline', true);
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

  /** Stops listening to a socket and closes it without waiting for its close event. */
  #discard(socket: WebSocket): void {
    if (socket === this.#socket) {
      this.#socket = null;
    }
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    try {
      socket.close(4000, 'replaced');
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is dropped either way.
    }
  }

  /** A socket considered dead (no pong, no open, browser offline): state goes offline now, then reconnect. */
  #abandon(socket: WebSocket, code: number, reason: string, immediately = false): void {
    this.logger.log('giving up the socket: {}', reason)();
    this.#discard(socket);
    this.#lost(socket, code, immediately);
  }

  #lost(socket: WebSocket, code: number, immediately = false): void {
    if (this.#socket === socket) {
      this.#socket = null;
    }
    clearInterval(this.#pingTimer);
    clearTimeout(this.#connectTimer);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new WsDisconnectedError());
    }
    this.#pending.clear();
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
    if (immediately || (this.#everOpened && code === 4000)) {
      // The link was up a moment ago: one fresh try at once, then the backoff if it fails too.
      this.#attempt = 1;
      this.connect();
      return;
    }
    const delay = Math.min(this.#options.maxBackoffMs, this.#options.minBackoffMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const jittered = delay * (0.7 + Math.random() * 0.6);
    this.#reconnectTimer = setTimeout(() => this.connect(), jittered);
  }

  #ping(socket: WebSocket): void {
    this.request('session.ping', {}, this.#options.pongTimeoutMs).then(
      () => undefined,
      () => {
        // No pong in time: the socket is dead (sleep, network change). Its close event would come only when the
        // network returns, so it is given up now and a fresh one is tried.
        if (socket === this.#socket) {
          this.#abandon(socket, 4000, 'heartbeat timeout');
        }
      },
    );
  }

  #startHeartbeat(): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      const socket = this.#socket;
      if (socket) {
        this.#ping(socket);
      }
    }, this.#options.pingIntervalMs);
  }
}
