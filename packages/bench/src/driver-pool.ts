import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DriverCommand, DriverReply } from './driver/ipc';

/** One forked load-driver process and its request/answer channel. */
class DriverHandle {
  #seq = 0;
  #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: DriverReply) => {
      const waiter = this.#waiting.get(reply.seq);
      this.#waiting.delete(reply.seq);
      if (reply.ok) {
        waiter?.resolve(reply.result);
      } else {
        waiter?.reject(new Error(reply.error));
      }
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const waiter of this.#waiting.values()) {
          waiter.reject(new Error(`load driver exited with ${code}`));
        }
        this.#waiting.clear();
        resolve();
      }),
    );
  }

  call<T>(command: DriverCommand, timeoutMs: number): Promise<T> {
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(seq);
        reject(new Error(`load driver: ${command.cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(seq, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ seq, command });
    });
  }
}

/**
 * The load generator's processes. Each holds a share of the clients; the orchestrator (this process)
 * only coordinates, so the three servers see exactly the same client processes and code.
 */
export class DriverPool {
  readonly drivers: DriverHandle[];

  constructor(count: number) {
    const script = join(__dirname, 'driver', 'driver.js');
    this.drivers = Array.from({ length: count }, () => {
      const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
      child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[driver] ${chunk.toString()}`.slice(0, 2000)));
      return new DriverHandle(child);
    });
  }

  get size(): number {
    return this.drivers.length;
  }

  all<T>(make: (index: number) => DriverCommand | null, timeoutMs: number): Promise<(T | null)[]> {
    return Promise.all(
      this.drivers.map((driver, index) => {
        const command = make(index);
        return command ? driver.call<T>(command, timeoutMs) : Promise.resolve(null);
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.drivers.map(async (driver) => {
        await driver.call({ cmd: 'close' }, 10_000).catch(() => undefined);
        driver.child.disconnect();
        const timer = setTimeout(() => driver.child.kill('SIGKILL'), 5_000);
        await driver.exited;
        clearTimeout(timer);
      }),
    );
  }
}
