/**
 * The scenarios of issue 4. Each is bounded: every phase has a duration or a deadline, so a run always
 * ends by itself. Users come from a pool (one database per pool, see fixtures.ts), so a scenario with
 * 1,000 clients runs against a Pychat with 1,000 users, not with every user every other scenario needed.
 */
export type Layout =
  /** One room holding the first `size` users of the pool; one client per member. */
  | { kind: 'room'; size: number }
  /** `rooms` rooms of `size` users each; one client per member. */
  | { kind: 'rooms'; rooms: number; size: number }
  /** Clients connect and stay idle; no room of their own. */
  | { kind: 'idle'; clients: number }
  /** One reader in a room of `messages` messages, inserted straight into the database. */
  | { kind: 'history'; messages: number };

export type Phase =
  | {
      kind: 'load';
      /** latency, throughput, warm, or ramp-<active users> (see rampPhases). */
      name: string;
      mode: 'rate' | 'max';
      /** Number of senders; for `rooms` layouts the senders are spread one per room first. */
      senders: number;
      /** `rate` mode: messages per second over all senders together. */
      totalRate: number;
      /** `max` mode: messages in flight per sender (answered and echoed back = done). */
      window: number;
      durationMs: number;
      drainMs: number;
    }
  | { kind: 'idle'; holdMs: number }
  | { kind: 'storm'; timeoutMs: number }
  | { kind: 'history'; requestsPerPage: number; reconnects: number };

export interface Scenario {
  name: string;
  description: string;
  /** Pool of users = one database; sized to the scenario. */
  pool: string;
  poolUsers: number;
  layout: Layout;
  connect: { concurrency: number; timeoutMs: number };
  phases: Phase[];
}

const latency = (senders: number, totalRate: number, durationMs = 10_000): Phase => ({
  kind: 'load',
  name: 'latency',
  mode: 'rate',
  senders,
  totalRate,
  window: 0,
  durationMs,
  drainMs: 15_000,
});

const throughput = (senders: number, window: number, durationMs = 10_000): Phase => ({
  kind: 'load',
  name: 'throughput',
  mode: 'max',
  senders,
  totalRate: 0,
  window,
  durationMs,
  drainMs: 20_000,
});

export const SCENARIOS: Scenario[] = [
  {
    name: 'room-100',
    description: 'one room of 100 clients: server CPU per message including its database insert',
    pool: 'u1000',
    poolUsers: 1_000,
    layout: { kind: 'room', size: 100 },
    connect: { concurrency: 200, timeoutMs: 120_000 },
    phases: [latency(10, 10), throughput(10, 4)],
  },
  {
    name: 'room-1k',
    description: 'one room of 1,000 clients; 10 senders at 10 msg/s in total, then at the maximal rate',
    pool: 'u1000',
    poolUsers: 1_000,
    layout: { kind: 'room', size: 1_000 },
    connect: { concurrency: 500, timeoutMs: 300_000 },
    phases: [latency(10, 10), throughput(10, 4)],
  },
  {
    name: 'room-5k',
    description: 'one room of 5,000 clients; 10 senders at 10 msg/s in total, then at the maximal rate',
    pool: 'u5000',
    poolUsers: 5_000,
    layout: { kind: 'room', size: 5_000 },
    connect: { concurrency: 500, timeoutMs: 600_000 },
    phases: [latency(10, 10), throughput(10, 2)],
  },
  {
    name: 'rooms-500x10',
    description: '5,000 clients in 500 rooms of 10; one sender per room (database write per message dominates)',
    pool: 'u5000',
    poolUsers: 5_000,
    layout: { kind: 'rooms', rooms: 500, size: 10 },
    connect: { concurrency: 500, timeoutMs: 600_000 },
    phases: [latency(500, 100), throughput(500, 1)],
  },
  {
    name: 'idle-15k',
    description: '15,000 idle connections: time to connect them all and server memory per connection',
    pool: 'u15000',
    poolUsers: 15_000,
    layout: { kind: 'idle', clients: 15_000 },
    connect: { concurrency: 500, timeoutMs: 600_000 },
    phases: [{ kind: 'idle', holdMs: 10_000 }],
  },
  {
    name: 'reconnect-1k',
    description: '1,000 clients of one room drop at once, reconnect and resync the 20 messages they last got',
    pool: 'u1000',
    poolUsers: 1_000,
    layout: { kind: 'room', size: 1_000 },
    connect: { concurrency: 500, timeoutMs: 300_000 },
    phases: [
      {
        kind: 'load',
        name: 'warm',
        mode: 'rate',
        senders: 1,
        totalRate: 20,
        window: 0,
        durationMs: 950,
        drainMs: 15_000,
      },
      { kind: 'storm', timeoutMs: 120_000 },
    ],
  },
  {
    name: 'history-1m',
    description: 'a room of 1,000,000 messages: session.ready, newest page of 50 and pages deep in history',
    pool: 'hist',
    poolUsers: 2,
    layout: { kind: 'history', messages: 1_000_000 },
    connect: { concurrency: 1, timeoutMs: 120_000 },
    phases: [{ kind: 'history', requestsPerPage: 100, reconnects: 10 }],
  },
  {
    name: 'smoke',
    description: 'CI smoke: a few clients for a few seconds, every kind of phase',
    pool: 'smoke',
    poolUsers: 6,
    layout: { kind: 'room', size: 6 },
    connect: { concurrency: 6, timeoutMs: 30_000 },
    phases: [
      latency(2, 10, 1_500),
      throughput(2, 2, 1_500),
      {
        kind: 'load',
        name: 'warm',
        mode: 'rate',
        senders: 1,
        totalRate: 20,
        window: 0,
        durationMs: 950,
        drainMs: 5_000,
      },
      { kind: 'storm', timeoutMs: 30_000 },
    ],
  },
  {
    name: 'smoke-history',
    description: 'CI smoke: history pages on a room of 2,000 messages',
    pool: 'smokehist',
    poolUsers: 2,
    layout: { kind: 'history', messages: 2_000 },
    connect: { concurrency: 1, timeoutMs: 30_000 },
    phases: [{ kind: 'history', requestsPerPage: 5, reconnects: 2 }],
  },
];

/**
 * The ramp (`--ramp`): after the scenario's clients connect, one open-loop phase per step instead of the
 * scenario's own phases. A step of `users` active users = `users` senders among the clients, each sending one
 * message every `intervalS` seconds (staggered over that interval, so the total rate is steady at
 * users ÷ intervalS per second). Past the number of clients, each client sends for several users.
 */
export interface Ramp {
  users: number[];
  intervalS: number;
  /** A step holds when its send→deliver p99 stays at or below this and nothing is lost or refused. */
  p99Ms: number;
  stepS: number;
  /** A step that misses runs again up to this many times; it holds if one run holds. */
  retries: number;
}

export function rampPhases(ramp: Ramp): Phase[] {
  return ramp.users.map((users) => ({
    kind: 'load',
    name: `ramp-${users}`,
    mode: 'rate',
    senders: users,
    totalRate: users / ramp.intervalS,
    window: 0,
    durationMs: ramp.stepS * 1000,
    drainMs: 15_000,
  }));
}

/** What `--scenario all` runs (the smokes are for CI). */
export const ALL = ['room-100', 'room-1k', 'room-5k', 'rooms-500x10', 'idle-15k', 'reconnect-1k', 'history-1m'];

export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) {
    throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}, all`);
  }
  return found;
}

/** Clients this scenario connects. */
export function clientCount(layout: Layout): number {
  switch (layout.kind) {
    case 'room':
      return layout.size;
    case 'rooms':
      return layout.rooms * layout.size;
    case 'idle':
      return layout.clients;
    case 'history':
      return 1;
  }
}
