/**
 * Runs one scenario against each target (Pychat, raw ws, ws+Redis) in turn, with the same clients,
 * the same load driver processes and the same phases, and measures the server processes from /proc.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@pychat/testkit';
import type { CageUsage, CpuCage } from './cgroup';
import { DriverPool } from './driver-pool';
import type { ClientSpec, ConnectResult, HistoryResult, LoadStats, SenderSpec, StormResult } from './driver/ipc';
import { preparePool, type Backend, type FixtureContext, type PoolCache } from './fixtures';
import { Histogram, summarize, type HistogramData } from './histogram';
import { RssWatcher, sampleAll } from './proc-stats';
import { sleep, startProcess, waitHealthy, type Proc } from './processes';
import { startPychat, type Instance } from './pychat';
import { computeChecks, computeRatios, type ScenarioResult, type TargetName, type TargetResult } from './results';
import { clientCount, rampPhases, type Phase, type Ramp, type Scenario } from './scenarios';
import type { Services } from './services';

/**
 * Users each Pychat client subscribes to the presence of (protocol v3): a sidebar of direct-message partners.
 * With it, presence bytes per connect stay constant in the number of users online.
 */
const PRESENCE_FOLLOW = 10;

export interface RunOptions {
  backend: Backend;
  /** Pychat instances (MariaDB+Redis: 2 by default); the ws+Redis baseline runs as many. */
  instances: number;
  targets: TargetName[];
  drivers: number;
  stateDir: string;
  logDir: string;
  profileDir: string | null;
  pychatMain: string;
  logLevel: string;
  services: Services;
  runTag: string;
  pingIntervalMs: number;
  payloadBytes: number;
  /** Overrides every load phase's duration (seconds), e.g. for a quick look. */
  durationS: number | null;
  signUpConcurrency: number;
  /** Build the users, rooms and history (and their cache) without measuring anything. */
  setupOnly: boolean;
  /**
   * cached: Pychat clients connect (and reconnect) with usersSince = the run's start, as returning visitors
   * whose directory is cached; full: every connect gets the whole directory, as a first visit.
   */
  directory: 'cached' | 'full';
  /** Pychat's processes (and with `cageBaselines` the baselines') run in this cgroup: a CPU quota on one core. */
  cage: CpuCage | null;
  cageBaselines: boolean;
  /** The load drivers run in this cgroup (their own core, highest weight), so other work does not starve them. */
  driverCage: CpuCage | null;
  /** Instead of the scenario's load phases, step the number of active users (see `Ramp`). */
  ramp: Ramp | null;
}

interface PlanClient {
  userId: number;
  token: string;
  rooms: number[];
}

interface Plan {
  dbUrl: string;
  clients: PlanClient[];
  /** Client indexes chosen as senders, `n` of them. */
  senders(n: number): number[];
  history?: PoolCache['history'];
}

function makePlan(scenario: Scenario, cache: PoolCache): Plan {
  return { dbUrl: cache.dbUrl, ...makeClients(scenario, cache) };
}

function makeClients(scenario: Scenario, cache: PoolCache): Omit<Plan, 'dbUrl'> {
  const layout = scenario.layout;
  const users = cache.users;
  switch (layout.kind) {
    case 'room': {
      const roomId = cache.rooms[`room:${layout.size}`][0];
      const clients = users.slice(0, layout.size).map((u) => ({ userId: u.id, token: u.token, rooms: [roomId] }));
      return {
        clients,
        senders: (n) =>
          Array.from({ length: Math.min(n, clients.length) }, (_, k) => Math.floor((k * clients.length) / n)),
      };
    }
    case 'rooms': {
      const ids = cache.rooms[`rooms:${layout.rooms}x${layout.size}`];
      const clients = users
        .slice(0, layout.rooms * layout.size)
        .map((u, i) => ({ userId: u.id, token: u.token, rooms: [ids[Math.floor(i / layout.size)]] }));
      // One sender per room first, then a second member of each room, and so on.
      return {
        clients,
        senders: (n) =>
          Array.from(
            { length: Math.min(n, clients.length) },
            (_, k) => (k % layout.rooms) * layout.size + (Math.floor(k / layout.rooms) % layout.size),
          ),
      };
    }
    case 'idle': {
      const clients = users.slice(0, layout.clients).map((u) => ({ userId: u.id, token: u.token, rooms: [] }));
      return { clients, senders: () => [] };
    }
    case 'history': {
      const history = cache.history as NonNullable<PoolCache['history']>;
      const reader = users[0];
      return {
        clients: [{ userId: reader.id, token: reader.token, rooms: [history.roomId] }],
        senders: () => [],
        history,
      };
    }
  }
}

interface Servers {
  label: string;
  instances: number;
  wsUrls: string[];
  pids: number[];
  /** MariaDB / Redis processes this target relies on (their CPU is reported apart). */
  servicePids: number[];
  /** The servers run in the CPU cage. */
  caged: boolean;
  stop(): Promise<void>;
}

async function startServers(target: TargetName, scenario: Scenario, dbUrl: string, opts: RunOptions): Promise<Servers> {
  const logBase = join(opts.logDir, `${scenario.name}-${opts.backend}-${target}`);
  if (target === 'pychat') {
    const useRedis = opts.backend === 'mariadb' || opts.instances > 1;
    const nodeArgs = opts.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profileDir, `${scenario.name}-${opts.backend}`)}`]
      : [];
    const started: Instance[] = [];
    try {
      for (let i = 0; i < opts.instances; i++) {
        started.push(
          await startPychat({
            main: opts.pychatMain,
            dbUrl,
            redisUrl: useRedis ? opts.services.redisUrl : null,
            redisPrefix: `bench-${opts.runTag}-${scenario.name}:`,
            dataDir: join(opts.stateDir, 'data'),
            logFile: `${logBase}-${i}.log`,
            logLevel: opts.logLevel,
            nodeArgs,
            instanceId: `bench-${i}`,
            onSpawn: opts.cage ? (pid) => opts.cage?.add(pid) : undefined,
          }),
        );
      }
    } catch (error) {
      await Promise.all(started.map((s) => s.proc.stop()));
      throw error;
    }
    const servicePids = [
      ...(opts.backend === 'mariadb' && opts.services.mariadbPid ? [opts.services.mariadbPid] : []),
      ...(useRedis && opts.services.redisPid ? [opts.services.redisPid] : []),
    ];
    return {
      label: `Pychat ${opts.backend}${useRedis ? '+redis' : ''} ×${opts.instances}`,
      instances: opts.instances,
      wsUrls: started.map((s) => s.wsUrl),
      pids: started.map((s) => s.proc.pid),
      servicePids,
      caged: opts.cage !== null,
      stop: async () => {
        await Promise.all(started.map((s) => s.proc.stop(30_000)));
      },
    };
  }
  const redis = target === 'ws+redis';
  const count = redis ? opts.instances : 1;
  const script = join(__dirname, 'baseline', 'server.js');
  const procs: Proc[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const logFile = `${logBase}-${i}.log`;
      const args = [script, '--port', String(port), '--instance', String(i)];
      if (redis) {
        args.push('--redis', opts.services.redisUrl, '--channel', `bench:${opts.runTag}:${scenario.name}`);
      }
      const proc = startProcess(`baseline ${target} ${i}`, process.execPath, args, { PATH: process.env.PATH }, logFile);
      procs.push(proc);
      if (opts.cage && opts.cageBaselines) {
        opts.cage.add(proc.pid);
      }
      await waitHealthy(`http://127.0.0.1:${port}/api/health`, proc, 30_000, logFile);
      ports.push(port);
    }
  } catch (error) {
    await Promise.all(procs.map((p) => p.stop()));
    throw error;
  }
  return {
    label: redis ? `ws+Redis ×${count}` : 'ws',
    instances: count,
    wsUrls: ports.map((port) => `ws://127.0.0.1:${port}/ws?v=1`),
    pids: procs.map((p) => p.pid),
    servicePids: redis && opts.services.redisPid ? [opts.services.redisPid] : [],
    caged: opts.cage !== null && opts.cageBaselines,
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}

const MB = 1024 * 1024;
const MIN_CONNECTIONS_FOR_MEMORY = 500;
const round = (value: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function sumRecords(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      out[key] = (out[key] ?? 0) + value;
    }
  }
  return out;
}

function put(
  metrics: Record<string, number>,
  prefix: string,
  summary: ReturnType<typeof summarize>,
  suffix = '',
): void {
  metrics[`${prefix}.p50${suffix}`] = summary.p50;
  metrics[`${prefix}.p95${suffix}`] = summary.p95;
  metrics[`${prefix}.p99${suffix}`] = summary.p99;
  metrics[`${prefix}.max${suffix}`] = summary.max;
}

/** What the cgroup saw between two samples: its CPU time in cores, and the share of periods it was throttled. */
function putCage(metrics: Record<string, number>, prefix: string, a: CageUsage, b: CageUsage, wallMs: number): void {
  const periods = b.periods - a.periods;
  metrics[`${prefix}.cgroupCpuMs`] = round((b.usageUs - a.usageUs) / 1000, 0);
  metrics[`${prefix}.cgroupCores`] = round((b.usageUs - a.usageUs) / 1000 / Math.max(1, wallMs), 3);
  metrics[`${prefix}.throttledShare`] = periods > 0 ? round((b.throttledPeriods - a.throttledPeriods) / periods, 3) : 0;
}

/** Runs the scenario's phases on one target. */
async function runTarget(scenario: Scenario, plan: Plan, target: TargetName, opts: RunOptions): Promise<TargetResult> {
  const servers = await startServers(target, scenario, plan.dbUrl, opts);
  const metrics: Record<string, number> = {};
  const details: Record<string, unknown> = {};
  const errors: string[] = [];
  const driverCount = Math.max(1, Math.min(opts.drivers, plan.clients.length));
  const pool = new DriverPool(driverCount);
  for (const driver of pool.drivers) {
    if (opts.driverCage && driver.child.pid !== undefined) {
      opts.driverCage.add(driver.child.pid);
    }
  }
  try {
    await sleep(1_000);
    const base = sampleAll(servers.pids);
    metrics['mem.rssBaseMB'] = round(base.rss / MB, 1);

    // Client i → instance i % I, driver ⌊i / I⌋ % D.
    const I = servers.instances;
    const perDriver: ClientSpec[][] = Array.from({ length: driverCount }, () => []);
    const place: { driver: number; local: number }[] = [];
    const n = plan.clients.length;
    plan.clients.forEach((client, i) => {
      const wsUrl = servers.wsUrls[i % I];
      const driver = Math.floor(i / I) % driverCount;
      // Each Pychat client follows the presence of the next PRESENCE_FOLLOW clients (its sidebar's people).
      const presence = Array.from(
        { length: Math.min(PRESENCE_FOLLOW, n - 1) },
        (_, k) => plan.clients[(i + k + 1) % n].userId,
      );
      const spec: ClientSpec =
        target === 'pychat'
          ? {
              url: opts.directory === 'cached' ? `${wsUrl}&usersSince=${Date.now()}` : wsUrl,
              token: client.token,
              presence,
            }
          : { url: `${wsUrl}&user=${client.userId}&rooms=${(client.rooms.length > 0 ? client.rooms : [1]).join(',')}` };
      perDriver[driver].push(spec);
      place.push({ driver, local: perDriver[driver].length - 1 });
    });
    await pool.all(
      (d) => ({
        cmd: 'init',
        driverId: d,
        clients: perDriver[d],
        pingIntervalMs: opts.pingIntervalMs,
        payloadBytes: opts.payloadBytes,
        runTag: `${opts.runTag}${target === 'pychat' ? 'p' : target === 'ws' ? 'w' : 'r'}`,
      }),
      60_000,
    );

    const cage = servers.caged ? opts.cage : null;
    // Connect every client.
    const cage0 = cage?.usage();
    const connectWall0 = Date.now();
    const cpu0 = sampleAll(servers.pids).cpuMs;
    const connects = (await pool.all<ConnectResult>(
      () => ({
        cmd: 'connect',
        concurrency: Math.ceil(scenario.connect.concurrency / driverCount),
        timeoutMs: scenario.connect.timeoutMs,
      }),
      scenario.connect.timeoutMs + 60_000,
    )) as ConnectResult[];
    const cpu1 = sampleAll(servers.pids).cpuMs;
    if (cage && cage0) {
      putCage(metrics, 'connect', cage0, cage.usage(), Date.now() - connectWall0);
    }
    const connected = new Array<boolean>(plan.clients.length).fill(true);
    connects.forEach((result, d) => {
      const failedLocal = new Set(result.failedClients);
      place.forEach((p, i) => {
        if (p.driver === d && failedLocal.has(p.local)) {
          connected[i] = false;
        }
      });
    });
    const connectedCount = connects.reduce((n, r) => n + r.connected, 0);
    const connectMs = Math.max(...connects.map((r) => r.ms));
    const failures = sumRecords(connects.map((r) => r.failures));
    const connectLatency = summarize(Histogram.merge(connects.map((r) => r.latency)));
    metrics['connect.clients'] = plan.clients.length;
    metrics['connect.connected'] = connectedCount;
    metrics['connect.failed'] = plan.clients.length - connectedCount;
    metrics['connect.ms'] = round(connectMs, 1);
    put(metrics, 'connect', connectLatency);
    metrics['connect.cpuMs'] = round(cpu1 - cpu0, 0);
    metrics['connect.cpuMsPerConn'] = connectedCount > 0 ? round((cpu1 - cpu0) / connectedCount) : 0;
    metrics['connect.otherFrames'] = connects.reduce((n, r) => n + r.otherFrames, 0);
    metrics['connect.otherMB'] = round(connects.reduce((n, r) => n + r.otherBytes, 0) / MB, 1);
    metrics['connect.readyKB'] =
      connectedCount > 0 ? round(connects.reduce((n, r) => n + r.readyBytes, 0) / connectedCount / 1024, 1) : 0;
    details.connect = { failures, latency: connectLatency };
    if (connectedCount < plan.clients.length) {
      errors.push(
        `connect: ${plan.clients.length - connectedCount} of ${plan.clients.length} failed ${JSON.stringify(failures)}`,
      );
    }
    console.log(
      `    connect: ${connectedCount}/${plan.clients.length} in ${(connectMs / 1000).toFixed(1)} s` +
        (connectedCount < plan.clients.length ? ` (failures: ${JSON.stringify(failures)})` : ''),
    );
    await sleep(2_000);
    const settled = sampleAll(servers.pids);
    metrics['mem.rssConnectedMB'] = round(settled.rss / MB, 1);
    // Below a few hundred sockets the heap growth of starting up dominates: no per-connection figure then.
    if (connectedCount >= MIN_CONNECTIONS_FOR_MEMORY) {
      metrics['mem.kbPerConn'] = round((settled.rss - base.rss) / connectedCount / 1024, 2);
    }

    const roomSize = new Map<number, number>();
    plan.clients.forEach((client, i) => {
      if (connected[i]) {
        for (const roomId of client.rooms) {
          roomSize.set(roomId, (roomSize.get(roomId) ?? 0) + 1);
        }
      }
    });

    let phaseIndex = 0;
    const ramp = opts.ramp;
    let rampHeld: string | null = null;
    for (const phase of ramp ? rampPhases(ramp) : scenario.phases) {
      phaseIndex++;
      if (phase.kind === 'load') {
        let ok = await runLoad(phase, `${phaseIndex}`, ramp);
        for (let retry = 1; ramp && !ok && retry <= ramp.retries; retry++) {
          // One stall (a WAL checkpoint waiting on a shared disk, another tenant's burst) can sink a short step.
          metrics[`${phase.name}.missedP99`] = metrics[`${phase.name}.p99`];
          metrics[`${phase.name}.retries`] = retry;
          console.log(`    ramp: ${phase.senders} active users missed once; running the step again`);
          ok = await runLoad(phase, `${phaseIndex}r${retry}`, ramp);
        }
        if (ramp) {
          if (!ok) {
            metrics['ramp.failedUsers'] = phase.senders;
            console.log(`    ramp: ${phase.senders} active users missed p99 ≤ ${ramp.p99Ms} ms; stopping`);
            break;
          }
          rampHeld = phase.name;
        }
      } else if (phase.kind === 'idle') {
        await sleep(phase.holdMs);
        const stats = (await pool.all<LoadStats>(() => ({ cmd: 'stats' }), 30_000)) as LoadStats[];
        const held = sampleAll(servers.pids);
        const closes = stats.reduce((n, s) => n + s.closes, 0);
        metrics['idle.heldMs'] = phase.holdMs;
        metrics['idle.closes'] = closes;
        metrics['idle.rssMB'] = round(held.rss / MB, 1);
        if (connectedCount >= MIN_CONNECTIONS_FOR_MEMORY) {
          metrics['idle.kbPerConn'] = round((held.rss - base.rss) / connectedCount / 1024, 2);
        }
        if (closes > 0) {
          errors.push(`idle: ${closes} connections closed by the server`);
        }
      } else if (phase.kind === 'storm') {
        await runStorm(phase);
      } else {
        await runHistory(phase);
      }
    }

    if (ramp) {
      metrics['ramp.intervalS'] = ramp.intervalS;
      metrics['ramp.p99LimitMs'] = ramp.p99Ms;
      metrics['ramp.heldUsers'] = rampHeld ? metrics[`${rampHeld}.senders.requested`] : 0;
      if (rampHeld) {
        metrics['ramp.heldMsgsPerSec'] = metrics[`${rampHeld}.msgsPerSec`];
        metrics['ramp.heldP99'] = metrics[`${rampHeld}.p99`];
        metrics['ramp.heldDeliveriesPerSec'] = metrics[`${rampHeld}.deliveriesPerSec`];
        if (metrics[`${rampHeld}.cgroupCores`] !== undefined) {
          metrics['ramp.heldCgroupCores'] = metrics[`${rampHeld}.cgroupCores`];
        }
      }
    }

    /**
     * One load phase. In a ramp, a step that misses the p99 limit or loses messages is the expected end of the
     * ramp, not an error of the run: it returns false.
     */
    async function runLoad(phase: Extract<Phase, { kind: 'load' }>, tag: string, ramp: Ramp | null): Promise<boolean> {
      const durationMs = opts.durationS !== null && phase.name !== 'warm' ? opts.durationS * 1000 : phase.durationMs;
      const chosen = plan.senders(phase.senders).filter((i) => connected[i]);
      if (chosen.length === 0) {
        errors.push(`${phase.name}: no connected sender`);
        return false;
      }
      const senders: SenderSpec[][] = Array.from({ length: driverCount }, () => []);
      for (const i of chosen) {
        const roomId = plan.clients[i].rooms[0];
        senders[place[i].driver].push({ client: place[i].local, roomId, roomSize: roomSize.get(roomId) ?? 0 });
      }
      const ratePerSender = phase.totalRate / chosen.length;
      const watcher = new RssWatcher(servers.pids);
      watcher.start();
      const cageA = cage?.usage();
      const c0 = sampleAll(servers.pids).cpuMs;
      const s0 = sampleAll(servers.servicePids).cpuMs;
      const wall0 = Date.now();
      await pool.all(
        (d) => ({
          cmd: 'load-start',
          senders: senders[d],
          mode: phase.mode,
          ratePerSender,
          window: phase.window,
          durationMs,
          trackIds: phase.name === 'warm',
          tag,
        }),
        30_000,
      );
      await sleep(durationMs);
      const drainUntil = Date.now() + phase.drainMs;
      for (;;) {
        const stats = (await pool.all<LoadStats>(() => ({ cmd: 'stats' }), 30_000)) as LoadStats[];
        const done =
          stats.every((s) => s.sendersDone) &&
          stats.reduce((n, s) => n + s.unanswered, 0) === 0 &&
          stats.reduce((n, s) => n + s.deliveries, 0) >= stats.reduce((n, s) => n + s.expected, 0);
        if (done || Date.now() > drainUntil) {
          break;
        }
        await sleep(100);
      }
      const final = (await pool.all<LoadStats>(() => ({ cmd: 'load-end' }), 30_000)) as LoadStats[];
      const c1 = sampleAll(servers.pids).cpuMs;
      const s1 = sampleAll(servers.servicePids).cpuMs;
      const wall1 = Date.now();
      const cageB = cage?.usage();
      const rssPeak = watcher.stop();
      const total = (key: keyof LoadStats) => final.reduce((n, s) => n + (s[key] as number), 0);
      const firstSend = Math.min(...final.filter((s) => s.firstSendAt > 0).map((s) => s.firstSendAt));
      const lastDelivery = Math.max(...final.map((s) => s.lastDeliveryAt));
      const lastAck = Math.max(...final.map((s) => s.lastAckAt));
      const deliveries = total('deliveries');
      const expected = total('expected');
      const acks = total('acks');
      const cpuMs = c1 - c0;
      const p = phase.name;
      metrics[`${p}.senders`] = chosen.length;
      metrics[`${p}.senders.requested`] = phase.senders;
      metrics[`${p}.rateTarget`] = round(phase.totalRate, 2);
      metrics[`${p}.durationS`] = durationMs / 1000;
      metrics[`${p}.sends`] = total('sends');
      metrics[`${p}.acks`] = acks;
      metrics[`${p}.errors`] = total('errors');
      metrics[`${p}.deliveries`] = deliveries;
      metrics[`${p}.expected`] = expected;
      metrics[`${p}.lost`] = Math.max(0, expected - deliveries);
      metrics[`${p}.deliveriesPerSec`] =
        deliveries > 0 && lastDelivery > firstSend ? round(deliveries / ((lastDelivery - firstSend) / 1e6), 0) : 0;
      metrics[`${p}.msgsPerSec`] = acks > 0 && lastAck > firstSend ? round(acks / ((lastAck - firstSend) / 1e6), 1) : 0;
      put(metrics, p, summarize(Histogram.merge(final.map((s) => s.latency))));
      const ack = summarize(Histogram.merge(final.map((s) => s.ackLatency)));
      metrics[`${p}.ackP50`] = ack.p50;
      metrics[`${p}.ackP99`] = ack.p99;
      metrics[`${p}.cpuMs`] = round(cpuMs, 0);
      metrics[`${p}.cpuCores`] = round(cpuMs / Math.max(1, wall1 - wall0), 2);
      metrics[`${p}.cpuUsPerDelivery`] = deliveries > 0 ? round((cpuMs * 1000) / deliveries, 2) : 0;
      metrics[`${p}.cpuUsPerMessage`] = acks > 0 ? round((cpuMs * 1000) / acks, 1) : 0;
      if (servers.servicePids.length > 0) {
        metrics[`${p}.serviceCpuMs`] = round(s1 - s0, 0);
        metrics[`${p}.cpuUsPerDeliveryAll`] = deliveries > 0 ? round(((cpuMs + s1 - s0) * 1000) / deliveries, 2) : 0;
      }
      metrics[`${p}.rssPeakMB`] = round(rssPeak / MB, 1);
      metrics[`${p}.loadAvg1`] = round(loadavg()[0], 2);
      if (cageA && cageB) {
        putCage(metrics, p, cageA, cageB, wall1 - wall0);
      }
      const errorCodes = sumRecords(final.map((s) => s.errorCodes));
      details[p] = {
        errorCodes,
        duplicates: total('duplicates'),
        otherFrames: total('otherFrames'),
        closes: total('closes'),
      };
      const clean = total('errors') === 0 && expected <= deliveries;
      if (!clean && !ramp) {
        errors.push(
          `${p}: ${total('errors')} errors ${JSON.stringify(errorCodes)}, ${Math.max(0, expected - deliveries)} deliveries missing`,
        );
      }
      console.log(
        `    ${p}: ${acks} msgs, ${deliveries} deliveries, ${metrics[`${p}.deliveriesPerSec`]}/s, ` +
          `p50 ${metrics[`${p}.p50`]} ms p99 ${metrics[`${p}.p99`]} ms, ` +
          `server ${metrics[`${p}.cpuUsPerDelivery`]} µs/delivery` +
          (cageA && cageB
            ? `, cgroup ${metrics[`${p}.cgroupCores`]} cores (throttled in ${Math.round(metrics[`${p}.throttledShare`] * 100)} % of periods)`
            : '') +
          (total('errors') > 0 ? `, errors ${JSON.stringify(errorCodes)}` : '') +
          (expected > deliveries ? `, ${expected - deliveries} deliveries missing` : ''),
      );
      return clean && (!ramp || (metrics[`${p}.p99`] <= ramp.p99Ms && acks > 0));
    }

    async function runStorm(phase: Extract<Phase, { kind: 'storm' }>): Promise<void> {
      const c0 = sampleAll(servers.pids).cpuMs;
      const roomId = plan.clients[0].rooms[0];
      const results = (await pool.all<StormResult>(
        () => ({ cmd: 'storm', roomId, timeoutMs: phase.timeoutMs }),
        phase.timeoutMs + 60_000,
      )) as StormResult[];
      const c1 = sampleAll(servers.pids).cpuMs;
      const resynced = results.reduce((n, r) => n + r.resynced, 0);
      const latency = summarize(Histogram.merge(results.map((r) => r.latency)));
      metrics['storm.clients'] = results.reduce((n, r) => n + r.clients, 0);
      metrics['storm.resynced'] = resynced;
      metrics['storm.ms'] = round(Math.max(...results.map((r) => r.ms)), 1);
      put(metrics, 'storm', latency);
      metrics['storm.cpuMs'] = round(c1 - c0, 0);
      metrics['storm.syncedMessages'] = results.reduce((n, r) => n + r.syncedMessages, 0);
      const failures = sumRecords(results.map((r) => r.failures));
      details.storm = { failures };
      if (resynced < metrics['storm.clients']) {
        errors.push(`storm: ${metrics['storm.clients'] - resynced} clients not resynced ${JSON.stringify(failures)}`);
      }
      console.log(
        `    storm: ${resynced}/${metrics['storm.clients']} resynced in ${(metrics['storm.ms'] / 1000).toFixed(2)} s`,
      );
    }

    async function runHistory(phase: Extract<Phase, { kind: 'history' }>): Promise<void> {
      const history = plan.history;
      if (!history) {
        throw new Error('history scenario without seeded history');
      }
      const span = Math.max(1, Math.min(1_000, Math.floor(history.count / 4)));
      const requests: { label: string; beforeId?: number }[] = [];
      for (let k = 0; k < phase.requestsPerPage; k++) {
        const jitter = Math.floor(Math.random() * span);
        requests.push({ label: 'newest' });
        requests.push({ label: 'middle', beforeId: history.minId + Math.floor(history.count / 2) + jitter });
        requests.push({ label: 'deep', beforeId: history.minId + 51 + jitter });
      }
      const result = await pool.drivers[place[0].driver].call<HistoryResult>(
        { cmd: 'history', roomId: history.roomId, requests, reconnects: phase.reconnects },
        600_000,
      );
      const connect = summarize(result.connect);
      metrics['history.messages'] = history.count;
      metrics['history.connectP50'] = connect.p50;
      metrics['history.connectP95'] = connect.p95;
      for (const [label, data] of Object.entries(result.pages) as [string, HistogramData][]) {
        const s = summarize(data);
        metrics[`history.${label}P50`] = s.p50;
        metrics[`history.${label}P95`] = s.p95;
        metrics[`history.${label}P99`] = s.p99;
      }
      metrics['history.errors'] = result.errors;
      if (result.errors > 0) {
        errors.push(`history: ${result.errors} errors ${JSON.stringify(result.errorCodes)}`);
      }
      console.log(
        `    history: session.ready p50 ${connect.p50} ms; newest p50 ${metrics['history.newestP50']} ms, ` +
          `middle p50 ${metrics['history.middleP50']} ms, deep p50 ${metrics['history.deepP50']} ms`,
      );
    }

    const end = sampleAll(servers.pids);
    metrics['mem.rssPeakMB'] = round(end.rssPeak / MB, 1);
    metrics['server.cpuMsTotal'] = round(end.cpuMs, 0);
  } catch (error) {
    errors.push(String((error as Error).message ?? error));
    console.log(`    failed: ${(error as Error).message}`);
  } finally {
    await pool.close();
    await servers.stop();
  }
  return { target, label: servers.label, instances: servers.instances, metrics, details, errors };
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    backend: opts.backend,
    instances: opts.instances,
    clients: clientCount(scenario.layout),
    targets: [],
    ratios: [],
    checks: [],
  };
  const load0 = loadavg()[0];
  const fixtures: FixtureContext = {
    backend: opts.backend,
    stateDir: opts.stateDir,
    mariadbUrl: opts.services.mariadbUrl,
    pychatMain: opts.pychatMain,
    logDir: opts.logDir,
    signUpConcurrency: opts.signUpConcurrency,
  };
  let cache: PoolCache;
  try {
    cache = await preparePool(fixtures, scenario.pool, scenario.poolUsers, scenario.layout);
  } catch (error) {
    result.error = `setup failed: ${(error as Error).message}`;
    console.log(`  ${result.error}`);
    return result;
  }
  if (opts.setupOnly) {
    console.log(`  pool ${scenario.pool} ready: ${cache.users.length} users`);
    return result;
  }
  if (opts.directory === 'cached' && !opts.setupOnly) {
    // A returning visitor's directory predates the users: Pychat sends the users changed since usersSince minus
    // a minute of clock skew, so users signed up less than that ago would still come with every connect.
    const settle = (cache.usersChangedAt ?? 0) + 61_000 - Date.now();
    if (settle > 0) {
      console.log(
        `  users were signed up just now: waiting ${Math.ceil(settle / 1000)} s so clients can count as returning`,
      );
      await sleep(settle);
    }
  }
  const plan = makePlan(scenario, cache);
  for (const target of opts.targets) {
    console.log(`  ▶ ${target}`);
    try {
      result.targets.push(await runTarget(scenario, plan, target, opts));
    } catch (error) {
      console.log(`    failed to start: ${(error as Error).message}`);
      result.targets.push({ target, label: target, instances: 0, metrics: {}, details: {}, errors: [String(error)] });
    }
  }
  result.loadAvg = [Math.round(load0 * 100) / 100, Math.round(loadavg()[0] * 100) / 100];
  result.ratios = computeRatios(result.targets);
  // The issue's targets are about the scenario's own phases, which a ramp replaces.
  result.checks = opts.ramp ? [] : computeChecks(scenario.name, result.targets, result.ratios);
  return result;
}
