import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Every server process this bench started and that is still running. */
const running = new Set<ChildProcess>();

/** Registers a process started elsewhere (the kit's Redis) so that killAllStarted ends it too. */
export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Last resort on exit or interrupt: nothing the bench started outlives it. */
export function killAllStarted(): void {
  for (const child of running) {
    child.kill('SIGKILL');
  }
  running.clear();
}

/** A server process this bench started; `stop` sends SIGTERM, then SIGKILL after `graceMs`. */
export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts a process with its output appended to `logFile` (never to our terminal: it would cost CPU). */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  logFile: string,
): Proc {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      log.end();
      resolve(code ?? (signal ? 128 : null));
    }),
  );
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${command}`);
  }
  return {
    name,
    pid: child.pid,
    child,
    exited,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return exited;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes. */
export async function waitHealthy(url: string, proc: Proc, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}); see ${logFile}`);
    }
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await sleep(100);
  }
  await proc.stop(1_000);
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms; see ${logFile}`);
}
