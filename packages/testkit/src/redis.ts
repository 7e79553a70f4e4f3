import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { freePort, waitUntil } from './net';

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function exited(child: ChildProcess): Promise<void> {
  return isRunning(child) ? new Promise((ok) => child.once('exit', () => ok())) : Promise.resolve();
}

/** Sends one inline command to a Redis port; resolves with the first line of the answer. */
export function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((ok, fail) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(new Error('no answer')), 1_000);
    let answer = '';
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        clearTimeout(timer);
        socket.end();
        ok(answer.split('\r\n')[0] ?? '');
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
  });
}

export interface RedisOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** Appends the server's output there; default: discarded. */
  logFile?: string;
  /** Called with every redis-server process started (the bench registers it to kill it on exit). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface RedisServer {
  port: number;
  url: string;
  /** The running redis-server, or null before start and after kill/stop. */
  readonly process: ChildProcess | null;
  /** SIGKILL: every connection drops at once and, without persistence, every key is gone. */
  kill(): Promise<void>;
  /** Starts a fresh, empty redis-server on the same port. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** `redis-server --port N --bind 127.0.0.1 --save '' --appendonly no` as a child of this process. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  const end = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (proc && isRunning(proc)) {
      proc.kill(signal);
      const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited(proc);
      clearTimeout(timer);
    }
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return child;
    },
    start: async () => {
      let log: number | 'ignore' = 'ignore';
      if (options.logFile) {
        mkdirSync(dirname(options.logFile), { recursive: true });
        log = openSync(options.logFile, 'a');
      }
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      const proc = spawn('redis-server', [...args, '--daemonize', 'no'], { stdio: ['ignore', log, log] });
      if (typeof log === 'number') {
        closeSync(log);
      }
      child = proc;
      options.onSpawn?.(proc);
      try {
        await waitUntil(
          `redis-server on ${port}${options.logFile ? ` (log: ${options.logFile})` : ''}`,
          async () => {
            if (!isRunning(proc)) {
              throw new Error(`redis-server exited with ${proc.exitCode ?? proc.signalCode}`);
            }
            return (await redisCommand(port, 'PING')) === '+PONG';
          },
          10_000,
          50,
        );
      } catch (error) {
        await end('SIGKILL');
        throw error;
      }
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
  await server.start();
  return server;
}
