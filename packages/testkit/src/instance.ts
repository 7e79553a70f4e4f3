import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { PROTOCOL_VERSION } from '@pychat/protocol';
import { freePort } from './net';

/**
 * Request budgets out of the way (PYCHAT_* env): suites that send hundreds of frames, or use typing frames as
 * bus barriers, test the chat, not the limiter. The limiter's own specs set the defaults back.
 */
export const NO_RATE_LIMITS: Readonly<Record<string, string>> = {
  PYCHAT_WS_SEND_PER_S: '1000000',
  PYCHAT_WS_SEND_BURST: '1000000',
  PYCHAT_WS_TYPING_PER_S: '1000000',
  PYCHAT_WS_TYPING_BURST: '1000000',
  PYCHAT_WS_CREATE_PER_MIN: '1000000',
  PYCHAT_WS_CREATE_BURST: '1000000',
  PYCHAT_WS_RTC_PER_S: '1000000',
  PYCHAT_WS_RTC_BURST: '1000000',
};

/** The built server, exactly as `node dist/main.js` runs in production. */
export const BACKEND_MAIN = resolve(__dirname, '../../backend/dist/main.js');

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
  const child = spawn(process.execPath, [BACKEND_MAIN], {
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
