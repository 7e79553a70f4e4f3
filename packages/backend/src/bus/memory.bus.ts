import type { Bus } from './bus';

/** Single-process bus (the embedded default): delivery is a function call on the next microtask. */
export class MemoryBus implements Bus {
  readonly kind = 'memory';
  #handlers: ((message: string) => void)[] = [];

  async publish(message: string): Promise<void> {
    for (const handler of this.#handlers) {
      handler(message);
    }
  }

  async subscribe(handler: (message: string) => void): Promise<void> {
    this.#handlers.push(handler);
  }

  state(): 'up' {
    return 'up';
  }

  async close(): Promise<void> {
    this.#handlers = [];
  }
}
