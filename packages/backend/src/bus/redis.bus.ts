import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Bus } from './bus';

/**
 * Redis pub/sub on one channel. A subscribed ioredis connection cannot publish, hence two connections;
 * ioredis reconnects and re-subscribes by itself after Redis restarts.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  readonly #logger: Logger;

  constructor(url: string, prefix: string, logger: Logger) {
    this.#logger = logger.child({ ctx: 'RedisBus' });
    this.#channel = `${prefix}events`;
    const options = { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: true };
    this.#pub = new Redis(url, options);
    this.#sub = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const [name, client] of [
      ['pub', this.#pub],
      ['sub', this.#sub],
    ] as const) {
      client.on('error', (error: Error) => this.#logger.warn({ conn: name, err: error.message }, 'redis error'));
      client.on('ready', () => this.#logger.info({ conn: name }, 'redis ready'));
    }
  }

  async connect(): Promise<void> {
    await Promise.all([this.#pub.connect(), this.#sub.connect()]);
  }

  /** The shared publisher, for other Redis-backed state (presence). */
  get client(): Redis {
    return this.#pub;
  }

  async publish(message: string): Promise<void> {
    await this.#pub.publish(this.#channel, message);
  }

  async subscribe(handler: (message: string) => void): Promise<void> {
    this.#sub.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) {
        handler(message);
      }
    });
    await this.#sub.subscribe(this.#channel);
  }

  state(): 'up' | 'down' {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready' ? 'up' : 'down';
  }

  async close(): Promise<void> {
    this.#sub.disconnect();
    await this.#pub.quit().catch(() => this.#pub.disconnect());
  }
}
