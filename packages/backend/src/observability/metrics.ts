import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Bus } from '../bus/bus';

/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client library: Pychat
 * needs a handful of counters, gauges and one histogram, and the format is a few lines per metric.
 * Names follow Prometheus conventions (`_total` counters, `_seconds`, `_bytes`); the process and Node
 * metrics use the names prom-client's defaults use, so stock dashboards find them.
 */

type Labels = Record<string, string>;

function labelText(labels: Labels | undefined): string {
  if (!labels || Object.keys(labels).length === 0) {
    return '';
  }
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return `{${parts.join(',')}}`;
}

function num(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  return String(value);
}

export class Counter {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1): void {
    this.#value += by;
  }
  get value(): number {
    return this.#value;
  }
  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${this.name} ${num(this.#value)}\n`;
  }
}

export class Histogram {
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.#counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.#sum += value;
    this.#count += 1;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) {
        this.#counts[i] = (this.#counts[i] as number) + 1;
      }
    }
  }
  get count(): number {
    return this.#count;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    this.buckets.forEach((le, i) => {
      out += `${this.name}_bucket{le="${num(le)}"} ${this.#counts[i]}\n`;
    });
    out += `${this.name}_bucket{le="+Inf"} ${this.#count}\n`;
    out += `${this.name}_sum ${num(this.#sum)}\n${this.name}_count ${this.#count}\n`;
    return out;
  }
}

/** A gauge read when scraped; several samples (label sets) per name are allowed. */
export function gauge(name: string, help: string, samples: { labels?: Labels; value: number }[]): string {
  let out = `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
  for (const s of samples) {
    out += `${name}${labelText(s.labels)} ${num(s.value)}\n`;
  }
  return out;
}

export interface MetricsSources {
  /** This instance's open WebSocket connections. */
  connections(): number;
  /** One `SELECT 1`; resolves with the round trip in seconds, rejects when the database is down. */
  pingDb(): Promise<number>;
  /** Same for Redis (PING); absent with the in-process bus. */
  pingRedis?: () => Promise<number>;
  info: Labels;
}

/** Seconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Awaits `run` and resolves with how long it took, in seconds. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return since(start);
}

const FANOUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Published frames not seen back after this long are forgotten (a bus outage must not grow memory). */
const PENDING_TTL_MS = 30_000;

export class Metrics {
  readonly messages = new Counter('pychat_messages_total', 'Chat messages sent through this instance.');
  readonly published = new Counter('pychat_bus_published_total', 'Frames this instance published on the bus.');
  readonly pushSent = new Counter('pychat_push_sent_total', 'Web Push messages a push service accepted.');
  readonly pushFailed = new Counter(
    'pychat_push_failed_total',
    'Web Push messages lost: the push service refused or could not be reached, or the recipients could not be read.',
  );
  readonly pushGone = new Counter(
    'pychat_push_gone_total',
    'Push subscriptions deleted because their push service answered 404 or 410.',
  );
  readonly pushDropped = new Counter(
    'pychat_push_dropped_total',
    'Web Push work dropped because the queue was full (a burst above what the push services take).',
  );
  readonly fanout = new Histogram(
    'pychat_fanout_latency_seconds',
    "From publishing a frame on the bus to writing it to this instance's sockets (frames this instance published).",
    FANOUT_BUCKETS,
  );
  readonly #loop = monitorEventLoopDelay({ resolution: 10 });
  readonly #processStart = Date.now() - process.uptime() * 1000;
  /** Frame text → publish times not yet seen back from the bus. */
  readonly #pending = new Map<string, number[]>();

  constructor(private readonly sources: MetricsSources) {
    this.#loop.enable();
  }

  /**
   * Wraps the bus so each frame this instance publishes is timed until the subscriber has delivered it
   * locally: the memory bus measures delivery alone, the Redis bus the round trip through Redis as well.
   */
  instrumentBus(bus: Bus): Bus {
    const pending = this.#pending;
    const published = this.published;
    const fanout = this.fanout;
    return {
      kind: bus.kind,
      async publish(message: string): Promise<void> {
        published.inc();
        const times = pending.get(message);
        if (times) {
          times.push(performance.now());
        } else {
          pending.set(message, [performance.now()]);
        }
        await bus.publish(message);
      },
      subscribe(handler: (message: string) => void): Promise<void> {
        return bus.subscribe((message) => {
          handler(message);
          const times = pending.get(message);
          const start = times?.shift();
          if (start !== undefined) {
            fanout.observe(since(start));
            if (times?.length === 0) {
              pending.delete(message);
            }
          }
        });
      },
      state: () => bus.state(),
      close: () => bus.close(),
    };
  }

  #sweep(): void {
    const oldest = performance.now() - PENDING_TTL_MS;
    for (const [message, times] of this.#pending) {
      while (times.length > 0 && (times[0] as number) < oldest) {
        times.shift();
      }
      if (times.length === 0) {
        this.#pending.delete(message);
      }
    }
  }

  /** The whole exposition text. Event-loop delay quantiles cover the time since the previous scrape. */
  async render(): Promise<string> {
    this.#sweep();
    const [db, redis] = await Promise.all([
      this.sources.pingDb().then(
        (s) => ({ up: 1, seconds: s }),
        () => ({ up: 0, seconds: NaN }),
      ),
      this.sources.pingRedis?.().then(
        (s) => ({ up: 1, seconds: s }),
        () => ({ up: 0, seconds: NaN }),
      ),
    ]);
    const loop = this.#loop;
    const lag = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const loopSamples = [
      { labels: { quantile: '0.5' }, value: lag(loop.percentile(50)) },
      { labels: { quantile: '0.99' }, value: lag(loop.percentile(99)) },
      { labels: { quantile: '1' }, value: lag(loop.max) },
    ];
    loop.reset();
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const parts = [
      gauge('pychat_info', 'Constant 1; the labels describe this instance.', [{ labels: this.sources.info, value: 1 }]),
      gauge('pychat_ws_connections', "This instance's open WebSocket connections.", [
        { value: this.sources.connections() },
      ]),
      this.messages.render(),
      this.published.render(),
      this.fanout.render(),
      this.pushSent.render(),
      this.pushFailed.render(),
      this.pushGone.render(),
      this.pushDropped.render(),
      gauge('pychat_db_up', '1 when the database answered SELECT 1 during this scrape.', [{ value: db.up }]),
      gauge('pychat_db_ping_seconds', 'Round trip of SELECT 1 during this scrape.', [{ value: db.seconds }]),
    ];
    if (redis) {
      parts.push(
        gauge('pychat_redis_up', '1 when Redis answered PING during this scrape.', [{ value: redis.up }]),
        gauge('pychat_redis_ping_seconds', 'Round trip of PING during this scrape.', [{ value: redis.seconds }]),
      );
    }
    parts.push(
      gauge('nodejs_eventloop_lag_seconds', 'Event-loop delay since the previous scrape, by quantile.', loopSamples),
      gauge('process_resident_memory_bytes', 'Resident memory size.', [{ value: memory.rss }]),
      gauge('nodejs_heap_size_used_bytes', 'V8 heap in use.', [{ value: memory.heapUsed }]),
      gauge('nodejs_heap_size_total_bytes', 'V8 heap allocated.', [{ value: memory.heapTotal }]),
      gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript (buffers).', [
        { value: memory.external },
      ]),
      `# HELP process_cpu_seconds_total User and system CPU time spent.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}\n`,
      gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch.', [
        { value: Math.round(this.#processStart / 1000) },
      ]),
    );
    return parts.join('');
  }

  close(): void {
    this.#loop.disable();
    this.#pending.clear();
  }
}
