import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, PROTOCOL_VERSION, type ServerEventFrame } from '@pychat/protocol';
import proxyaddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config/config';
import type { UserEntity, UserSettingsEntity } from '../entities';
import { originAllowed, requestScheme, type TrustProxy } from '../http/origin';
import { sessionTokenOf } from '../auth/session-token';
import type { Logger } from '../logger';
import type { AuthService } from '../services/auth.service';
import type { CallService } from '../services/call.service';
import type { LocationService } from '../services/location.service';
import type { TransferService } from '../services/transfer.service';
import type { P2pService } from '../services/p2p.service';
import type { PresenceService } from '../services/presence.service';
import type { SessionService } from '../services/session.service';
import { Connection, type ConnectionRegistry } from './connections';
import type { Dispatcher } from './dispatcher';
import type { RequestLimits } from './request-limits';

const IDLE_CHECK_INTERVAL_MS = 5_000;

export interface WsServerDeps {
  config: Config;
  auth: AuthService;
  session: SessionService;
  presence: PresenceService;
  /** Told when a socket closes, so its device leaves its calls at once. */
  calls?: Pick<CallService, 'disconnected'>;
  /** Told when a socket closes, so the offers it was sending are withdrawn at once. */
  transfers?: Pick<TransferService, 'disconnected'>;
  p2p?: Pick<P2pService, 'disconnected'>;
  /** Told of every connect with the client address (X-Forwarded-For by trustProxy), for flags and statistics. */
  locations?: Pick<LocationService, 'connected'>;
  registry: ConnectionRegistry;
  dispatcher: Dispatcher;
  limits?: RequestLimits;
  logger: Logger;
  /** Whether the TCP peer is a trusted proxy (its X-Forwarded-Proto then tells the browser's scheme). */
  trustProxy: TrustProxy;
}

/**
 * WebSocket endpoint at /ws. Handshake problems are answered with an HTTP status before the upgrade
 * (404 path, 426 protocol version, 403 origin, 401 session); after it, each socket gets session.ready
 * first, then live frames.
 */
export class WsServer {
  readonly #wss: WebSocketServer;
  readonly #logger: Logger;
  #idleTimer: NodeJS.Timeout | undefined;
  #sessionTimer: NodeJS.Timeout | undefined;
  #checkingSessions = false;
  #closing = false;

  constructor(private readonly deps: WsServerDeps) {
    this.#logger = deps.logger.child({ ctx: 'WsServer' });
    // Hard cap: above it ws closes with 1009. Frames between the soft limit and this get FRAME_TOO_LARGE.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.ws.maxFrameBytes * 16 });
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, socket, head).catch((error: unknown) => {
        this.#logger.error({ err: error }, 'upgrade failed');
        reject(socket, 503, 'UNAVAILABLE', 'Server cannot accept connections right now');
      });
    });
    this.#idleTimer = setInterval(() => {
      this.closeIdle();
      this.deps.limits?.prune(Date.now());
    }, IDLE_CHECK_INTERVAL_MS);
    this.#idleTimer.unref();
    this.#sessionTimer = setInterval(() => {
      this.closeEndedSessions().catch((error: unknown) => this.#logger.warn({ err: error }, 'session check failed'));
    }, this.deps.config.ws.sessionCheckMs);
    this.#sessionTimer.unref();
  }

  get connectionCount(): number {
    return this.deps.registry.size;
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') {
      return reject(socket, 404, 'NOT_FOUND', 'WebSocket endpoint is /ws');
    }
    if (this.#closing) {
      return reject(socket, 503, 'UNAVAILABLE', 'Server is shutting down');
    }
    if (url.searchParams.get('v') !== String(PROTOCOL_VERSION)) {
      return reject(
        socket,
        426,
        'UNSUPPORTED_PROTOCOL_VERSION',
        `Protocol version ${PROTOCOL_VERSION} required: connect to /ws?v=${PROTOCOL_VERSION}`,
      );
    }
    if (!this.originAllowed(req)) {
      return reject(socket, 403, 'FORBIDDEN', 'Origin not allowed');
    }
    const usersSince = parseUsersSince(url.searchParams.get('usersSince'));
    if (usersSince === undefined) {
      return reject(socket, 400, 'VALIDATION_FAILED', 'usersSince must be a timestamp in milliseconds');
    }
    const token = sessionTokenOf(req);
    const session = token ? await this.deps.auth.authenticateWithSettings(token) : null;
    if (!session) {
      return reject(socket, 401, 'UNAUTHENTICATED', 'Sign in first: no valid session');
    }
    // Read before the upgrade: the socket's remote address is gone once it closes.
    const clientIp = req.socket.remoteAddress ? proxyaddr(req, this.deps.trustProxy) : null;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.onConnection(ws, session.user, session.sessionId, usersSince, clientIp, session.settings).catch(
        (error: unknown) => {
          this.#logger.error({ err: error, user: session.user.id }, 'connection setup failed');
          ws.close(1011, 'setup failed');
        },
      );
    });
  }

  /**
   * Browsers send Origin; a page of another site must not ride on the user's cookie. Same origin means same
   * scheme, host and port: an http:// page must not open the socket of the https:// server of the same host.
   */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) {
      return true;
    }
    const scheme = requestScheme(req, this.deps.trustProxy);
    return originAllowed(origin, { scheme, host: req.headers.host }, this.deps.config.ws.allowedOrigins);
  }

  private async onConnection(
    ws: WebSocket,
    user: UserEntity,
    sessionId: number,
    usersSince: number | null,
    clientIp: string | null,
    settings: UserSettingsEntity | null,
  ): Promise<void> {
    const { registry, session, presence, dispatcher, config } = this.deps;
    const id = randomBytes(6).toString('base64url');
    const conn = new Connection(id, user.id, sessionId, ws, this.#logger, config.ws.maxBufferedBytes);
    // Bytes waiting too: two frames at the hard size limit (2 MiB by default), far above what a client that
    // waits for its answers ever has in flight.
    const maxQueuedBytes = 32 * config.ws.maxFrameBytes;
    // One frame at a time per socket: two sends from one tab commit, and are answered, in the order sent.
    let queue: Promise<void> = Promise.resolve();
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (ws.readyState !== ws.OPEN) {
        // Closing (session ended, backpressure): nothing more from this socket is acted on.
        return;
      }
      conn.lastFrameAt = Date.now();
      if (conn.queuedFrames >= config.ws.maxQueuedFrames || conn.queuedBytes + raw.length > maxQueuedBytes) {
        conn.warn('too many queued frames', { queued: conn.queuedFrames, bytes: conn.queuedBytes });
        ws.close(CLOSE_CODES.BACKPRESSURE, 'too many queued frames: wait for answers');
        return;
      }
      conn.queuedFrames += 1;
      conn.queuedBytes += raw.length;
      queue = queue
        .then(() => dispatcher.dispatch({ userId: user.id, conn }, raw, isBinary))
        .catch((error: unknown) => conn.log.error({ err: error }, 'dispatch failed'))
        .finally(() => {
          conn.queuedFrames -= 1;
          conn.queuedBytes -= raw.length;
        });
    });
    ws.on('error', (error) => conn.warn('socket error', { err: error.message }));
    let counted = false;
    ws.on('close', (code: number, reason: Buffer) => {
      registry.remove(conn);
      conn.flushWarnings();
      this.deps.calls
        ?.disconnected(id)
        .catch((error: unknown) => conn.log.warn({ err: error }, 'leaving calls failed; they expire instead'));
      this.deps.transfers
        ?.disconnected(id)
        .catch((error: unknown) => conn.log.warn({ err: error }, 'withdrawing transfers failed; they expire instead'));
      this.deps.p2p
        ?.disconnected(id)
        .catch((error: unknown) => conn.log.warn({ err: error }, 'leaving p2p rooms failed; they expire instead'));
      this.#logger.info(
        { conn: id, user: user.id, code, reason: reason.toString('utf8').slice(0, 64) },
        'ws disconnected',
      );
      if (counted) {
        presence
          .disconnected(user.id)
          .catch((error: unknown) => conn.log.warn({ err: error }, 'presence update failed'));
      }
    });
    // Registered first, so joins and leaves committed while the memberships are read still reach this socket
    // (they win over the read); frames queue in the connection until session.ready. Messages committed before
    // the rooms are indexed come back through the client's message.sync.
    registry.register(conn);
    const memberships = await session.memberships(user.id);
    if (ws.readyState !== ws.OPEN) {
      registry.remove(conn);
      return;
    }
    registry.indexRooms(
      conn,
      memberships.map(({ room }) => room.id),
    );
    const ready = await session.ready(
      user,
      usersSince,
      memberships,
      {
        connectionId: id,
        // A getter: reading conn.log here would make the socket's child logger and keep it for the socket's life.
        get log() {
          return conn.log;
        },
        isOpen: () => ws.readyState === ws.OPEN,
        counted: () => {
          counted = true;
        },
      },
      settings,
    );
    if (!ready) {
      // Closed while we were reading: its close handler already ran, so it did not count as online.
      return;
    }
    conn.sendFirst(ready.frame);
    void this.deps.locations?.connected(user.id, clientIp);
    this.#logger.info({ conn: id, user: user.id, rooms: ready.roomCount }, 'ws connected');
  }

  private closeIdle(): void {
    const deadline = Date.now() - this.deps.config.ws.idleTimeoutMs;
    for (const conn of this.deps.registry.connections()) {
      if (conn.lastFrameAt < deadline) {
        conn.socket.close(CLOSE_CODES.IDLE_TIMEOUT, 'idle timeout: send session.ping');
      }
    }
  }

  /**
   * Backstop for revocation: sessions deleted where this instance could not hear it (`pychat reset-password`
   * without Redis, another instance's bus outage) or past their TTL. One query for every open socket's session.
   */
  private async closeEndedSessions(): Promise<void> {
    if (this.#checkingSessions || this.deps.registry.size === 0) {
      return;
    }
    this.#checkingSessions = true;
    try {
      const ids = new Set<number>();
      for (const conn of this.deps.registry.connections()) {
        ids.add(conn.sessionId);
      }
      const ended = await this.deps.auth.endedSessions([...ids]);
      if (ended.size > 0) {
        const frame: ServerEventFrame<'session.ended'> = { type: 'session.ended', data: { reason: 'expired' } };
        const closed = this.deps.registry.endSessions(ended, JSON.stringify(frame));
        this.#logger.info({ sessions: ended.size, sockets: closed }, 'closed sockets of ended sessions');
      }
    } finally {
      this.#checkingSessions = false;
    }
  }

  /** Stops accepting, then closes every socket with 1001 so clients reconnect elsewhere. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#idleTimer);
    clearInterval(this.#sessionTimer);
    for (const conn of this.deps.registry.connections()) {
      conn.socket.close(CLOSE_CODES.GOING_AWAY, 'server restarting');
    }
    await new Promise<void>((resolve) => {
      const deadline = Date.now() + 3_000;
      const check = () => {
        if (this.deps.registry.size === 0 || Date.now() > deadline) {
          for (const client of this.#wss.clients) {
            client.terminate();
          }
          resolve();
        } else {
          setTimeout(check, 20);
        }
      };
      check();
    });
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

/** null when absent, undefined when not a plausible timestamp. */
function parseUsersSince(value: string | null): number | null | undefined {
  if (value === null) {
    return null;
  }
  const since = Number(value);
  return /^\d{1,15}$/.test(value) && Number.isSafeInteger(since) ? since : undefined;
}

function reject(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
