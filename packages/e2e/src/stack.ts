import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  PROTOCOL_VERSION,
  type AuthResponse,
  type ClientMessages,
  type ClientReplies,
  type ClientType,
  type ErrorBody,
  type ServerEventType,
  type ServerFrame,
  type ServerMessages,
} from '@pychat/protocol';
import WebSocket from 'ws';

/** The built server, exactly as `node dist/main.js` runs in production. */
const MAIN = resolve(__dirname, '../../backend/dist/main.js');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pychat-e2e-${prefix}-`));
}

export interface Instance {
  port: number;
  url: string;
  wsUrl: string;
  process: ChildProcess;
  output: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Starts `node dist/main.js` with the given env and waits until it serves /api/health. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = Number(env.PYCHAT_PORT ?? (await freePort()));
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      PYCHAT_HOST: '127.0.0.1',
      PYCHAT_LOG_LEVEL: 'warn',
      // Every test user signs up from 127.0.0.1.
      PYCHAT_SIGNUP_MAX_PER_IP: '10000',
      ...env,
      PYCHAT_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}:\n${output.join('')}`);
    }
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws?v=${PROTOCOL_VERSION}`,
    process: child,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
      }
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

export async function api<T = unknown>(
  instance: { url: string },
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${instance.url}${path}`, {
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

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`.slice(0, 16);
}

export async function signUp(instance: { url: string }, username: string): Promise<AuthResponse> {
  const res = await api<AuthResponse>(instance, 'POST', '/api/auth/sign-up', { username, password: 'e2e-secret' });
  if (res.status !== 201) {
    throw new Error(`sign-up ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A plain WebSocket client of the documented protocol (what any third-party client would write). */
export class WsClient {
  readonly frames: ServerFrame[] = [];
  closeCode: number | null = null;
  #nextId = 1;
  #waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as ServerFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    });
    ws.on('close', (code: number) => {
      this.closeCode = code;
    });
  }

  static async connect(instance: { wsUrl: string }, token: string): Promise<WsClient> {
    const ws = new WebSocket(instance.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const client = new WsClient(ws);
    const ready = client.waitForFrame('session.ready');
    // A refused upgrade rejects below; this wait must not then surface as an unhandled rejection.
    ready.catch(() => undefined);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    await ready;
    return client;
  }

  get ready(): ServerMessages['session.ready'] {
    return (this.frames.find((f) => f.type === 'session.ready') as { data: ServerMessages['session.ready'] }).data;
  }

  async request<K extends ClientType>(type: K, data: ClientMessages[K]): Promise<ClientReplies[K]> {
    const id = this.#nextId++;
    const answer = this.#wait((f) => (f.type === 'reply' || f.type === 'error') && 'replyTo' in f && f.replyTo === id);
    this.ws.send(JSON.stringify({ type, id, data }));
    const frame = await answer;
    if (frame.type === 'error') {
      const body = frame.data as ErrorBody;
      throw new Error(`${body.code}: ${body.message}`);
    }
    return frame.data as ClientReplies[K];
  }

  async waitForFrame<K extends ServerEventType>(
    type: K,
    predicate: (data: ServerMessages[K]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ServerMessages[K]> {
    const frame = await this.#wait((f) => f.type === type && predicate(f.data as ServerMessages[K]), timeoutMs);
    return frame.data as ServerMessages[K];
  }

  all<K extends ServerEventType>(type: K): ServerMessages[K][] {
    return this.frames.filter((f) => f.type === type).map((f) => f.data as ServerMessages[K]);
  }

  #wait(match: (f: ServerFrame) => boolean, timeoutMs = 10_000): Promise<ServerFrame> {
    const existing = this.frames.find(match);
    if (existing) {
      return Promise.resolve(existing);
    }
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('timed out waiting for a frame')), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          ok(f);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
