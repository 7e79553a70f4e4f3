/** Shapes of the report, the Pychat ÷ baseline ratios and the targets. */
import type { Backend } from './fixtures';

export type TargetName = 'pychat' | 'ws' | 'ws+redis';
export const TARGETS: TargetName[] = ['pychat', 'ws', 'ws+redis'];

export interface TargetResult {
  target: TargetName;
  label: string;
  instances: number;
  /** Flat numbers: `connect.ms`, `throughput.deliveriesPerSec`, `latency.p99` (ms)… */
  metrics: Record<string, number>;
  /** Raw per-phase data (failure reasons, error codes, histogram summaries). */
  details: Record<string, unknown>;
  errors: string[];
}

export interface Ratio {
  metric: string;
  /** Which direction is good for Pychat: `higher` for rates, `lower` for times, CPU and memory. */
  better: 'lower' | 'higher';
  vsWs: number | null;
  vsRedis: number | null;
}

export interface Check {
  target: string;
  metric: string;
  value: number | null;
  limit: string;
  met: boolean | null;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  backend: Backend;
  instances: number;
  clients: number;
  targets: TargetResult[];
  ratios: Ratio[];
  checks: Check[];
  /** 1-minute load average of the machine when the scenario started and ended (other work shares it). */
  loadAvg?: [number, number];
  error?: string;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: Record<string, string | number>;
  git: { commit: string; dirty: boolean };
  options: Record<string, unknown>;
  /** --cpu-limit: the cgroup the servers ran in. */
  cpuCage?: {
    cgroup: 1 | 2;
    dirs: string[];
    quotaUs: number;
    periodUs: number;
    core: number | null;
    baselines: boolean;
  };
  scenarios: ScenarioResult[];
}

const RATIO_METRICS: [string, Ratio['better']][] = [
  ['connect.ms', 'lower'],
  ['connect.cpuMsPerConn', 'lower'],
  ['mem.kbPerConn', 'lower'],
  ['latency.p50', 'lower'],
  ['latency.p99', 'lower'],
  ['latency.cpuUsPerDelivery', 'lower'],
  ['throughput.deliveriesPerSec', 'higher'],
  ['throughput.msgsPerSec', 'higher'],
  ['throughput.p99', 'lower'],
  ['throughput.cpuUsPerDelivery', 'lower'],
  ['throughput.cpuUsPerMessage', 'lower'],
  ['storm.ms', 'lower'],
  ['storm.cpuMs', 'lower'],
  ['history.connectP50', 'lower'],
  ['history.newestP50', 'lower'],
  ['history.middleP50', 'lower'],
  ['history.deepP50', 'lower'],
];

export function computeRatios(targets: TargetResult[]): Ratio[] {
  const of = (name: TargetName) => targets.find((t) => t.target === name)?.metrics;
  const pychat = of('pychat');
  const ws = of('ws');
  const redis = of('ws+redis');
  if (!pychat) {
    return [];
  }
  const ratio = (base: Record<string, number> | undefined, key: string) => {
    const a = pychat[key];
    const b = base?.[key];
    return a !== undefined && b !== undefined && a > 0 && b > 0 ? Math.round((a / b) * 1000) / 1000 : null;
  };
  return RATIO_METRICS.map(([metric, better]) => ({
    metric,
    better,
    vsWs: ratio(ws, metric),
    vsRedis: ratio(redis, metric),
  })).filter((r) => r.vsWs !== null || r.vsRedis !== null);
}

/** The targets that a scenario can tell, checked on Pychat's numbers. */
export function computeChecks(scenario: string, targets: TargetResult[], ratios: Ratio[]): Check[] {
  const m = targets.find((t) => t.target === 'pychat')?.metrics;
  if (!m) {
    return [];
  }
  const checks: Check[] = [];
  const at = (target: string, metric: string, limit: number, cmp: '<=' | '>=' | '==', value = m[metric]) => {
    const known = value !== undefined && Number.isFinite(value);
    checks.push({
      target,
      metric,
      value: known ? Math.round(value * 1000) / 1000 : null,
      limit: `${cmp} ${limit}`,
      met: !known ? null : cmp === '<=' ? value <= limit : cmp === '>=' ? value >= limit : value === limit,
    });
  };
  const vsRedis = (metric: string) => ratios.find((r) => r.metric === metric)?.vsRedis ?? undefined;
  switch (scenario) {
    case 'room-1k':
    case 'room-5k': {
      const big = scenario === 'room-5k';
      at(
        'deliveries/s ≥ 75 % of the ws+Redis baseline',
        'throughput.deliveriesPerSec ÷ ws+redis',
        0.75,
        '>=',
        vsRedis('throughput.deliveriesPerSec'),
      );
      at('server CPU ≤ 12 µs per delivery', 'throughput.cpuUsPerDelivery', 12, '<=');
      at(`p99 send→deliver ≤ ${big ? 200 : 30} ms at 10 msg/s`, 'latency.p99', big ? 200 : 30, '<=');
      if (big) {
        at('5,000 clients connected in ≤ 5 s', 'connect.ms', 5_000, '<=');
      }
      break;
    }
    case 'room-100':
      at('≤ 1 ms server CPU per message incl. its insert (100-member room)', 'throughput.cpuUsPerMessage', 1_000, '<=');
      break;
    case 'rooms-500x10':
      at('5,000 clients connected in ≤ 5 s', 'connect.ms', 5_000, '<=');
      break;
    case 'idle-15k':
      at('≤ 15 KB server memory per idle connection', 'mem.kbPerConn', 15, '<=');
      at('15,000 connections held by one process', 'connect.connected', 15_000, '==');
      break;
    case 'reconnect-1k':
      at('all 1,000 clients resynced within 5 s', 'storm.ms', 5_000, '<=');
      at('every client resynced', 'storm.resynced', 1_000, '==');
      break;
    case 'history-1m':
      at('newest page of 50 ≤ 20 ms (p95)', 'history.newestP95', 20, '<=');
      at('page in the middle ≤ 20 ms (p95)', 'history.middleP95', 20, '<=');
      at('page deep in history ≤ 20 ms (p95)', 'history.deepP95', 20, '<=');
      break;
    default:
      break;
  }
  return checks;
}
