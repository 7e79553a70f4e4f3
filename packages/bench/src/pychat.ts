/** Starting the server under test (`node packages/backend/dist/main.js`) and talking to its public API. */
import { join } from 'node:path';
import { PROTOCOL_VERSION, type AuthResponse } from '@pychat/protocol';
import { WebSocket } from 'ws';
import { freePort, startProcess, waitHealthy, type Proc } from './processes';

export interface Instance {
  proc: Proc;
  port: number;
  url: string;
  wsUrl: string;
}

export interface PychatOptions {
  main: string;
  dbUrl: string;
  redisUrl: string | null;
  redisPrefix: string;
  dataDir: string;
  logFile: string;
  logLevel: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs: string[];
  instanceId: string;
}

export async function startPychat(options: PychatOptions): Promise<Instance> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    PYCHAT_HOST: '127.0.0.1',
    PYCHAT_PORT: String(port),
    PYCHAT_DB_URL: options.dbUrl,
    PYCHAT_DATA_DIR: options.dataDir,
    PYCHAT_LOG_LEVEL: options.logLevel,
    PYCHAT_INSTANCE_ID: options.instanceId,
    PYCHAT_STATIC_DIR: join(options.dataDir, 'no-static'),
    // Throughput phases send as fast as the server answers (hundreds of messages per second per sender),
    // far above the abuse budget of 10/s per socket: the bench measures the server, not the limiter.
    PYCHAT_WS_SEND_PER_S: '1000000',
    PYCHAT_WS_SEND_BURST: '1000000',
    // Queued frames: a sender's window is small, but keep the bound out of the way of any scenario.
    PYCHAT_WS_MAX_QUEUED_FRAMES: '100000',
  };
  if (options.redisUrl) {
    env.PYCHAT_REDIS_URL = options.redisUrl;
    env.PYCHAT_REDIS_PREFIX = options.redisPrefix;
  }
  const proc = startProcess(
    `pychat ${options.instanceId}`,
    process.execPath,
    [...options.nodeArgs, options.main],
    env,
    options.logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/api/health`, proc, 120_000, options.logFile);
  return { proc, port, url, wsUrl: `ws://127.0.0.1:${port}/ws?v=${PROTOCOL_VERSION}` };
}

export async function api<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function signUp(base: string, username: string, password: string): Promise<AuthResponse> {
  let res: { status: number; body: AuthResponse } | undefined;
  // A busy machine sometimes resets a kept-alive connection ("fetch failed"): retry. If the first try
  // did reach the server, the retry answers USERNAME_TAKEN and the caller picks another name.
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await api<AuthResponse>(base, 'POST', '/api/auth/sign-up', { username, password });
    } catch (error) {
      if (attempt >= 5) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  if (res.status !== 201) {
    throw new Error(`sign-up ${username}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Minimal request/reply WebSocket client for building rooms (not used for load). */
export class WsRpc {
  #nextId = 1;
  #waiting = new Map<number, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as {
        type: string;
        replyTo?: number;
        data: { code?: string; message?: string };
      };
      if ((frame.type === 'reply' || frame.type === 'error') && frame.replyTo !== undefined) {
        const waiter = this.#waiting.get(frame.replyTo);
        this.#waiting.delete(frame.replyTo);
        if (frame.type === 'reply') {
          waiter?.resolve(frame.data);
        } else {
          waiter?.reject(new Error(`${frame.data.code}: ${frame.data.message}`));
        }
      }
    });
    ws.on('close', () => {
      for (const waiter of this.#waiting.values()) {
        waiter.reject(new Error('socket closed'));
      }
      this.#waiting.clear();
    });
  }

  static connect(wsUrl: string, token: string): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error('setup connection timed out'));
      }, 120_000);
      ws.once('message', () => {
        clearTimeout(timer);
        resolve(new WsRpc(ws));
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  request<T>(type: string, data: unknown, timeoutMs = 120_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${type} timed out`));
      }, timeoutMs);
      this.#waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.ws.send(JSON.stringify({ type, id, data }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
