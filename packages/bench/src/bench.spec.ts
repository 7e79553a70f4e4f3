/**
 * CI smoke of the bench: a few clients for a few seconds on SQLite, against Pychat and both baselines,
 * through the real command line. It checks that the bench still works and reports sane numbers; it
 * asserts nothing about performance (benchmarks are not timed assertions on a shared machine).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@pychat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from './results';

const PACKAGE = resolve(__dirname, '..');
const BACKEND_MAIN = resolve(PACKAGE, '../backend/dist/main.js');

describe('bench smoke (sqlite, pychat + ws + ws+redis)', () => {
  const out = mkdtempSync(join(tmpdir(), 'pychat-bench-smoke-'));
  let report: Report;
  let output = '';
  let status: number | null = null;

  beforeAll(async () => {
    expect(existsSync(BACKEND_MAIN), 'build the backend first: pnpm --filter @pychat/backend build').toBe(true);
    // The bench runs as separate processes (CLI, load driver, baselines): they need the compiled JS.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: PACKAGE,
    });
    const redisPort = await freePort();
    const run = spawnSync(
      process.execPath,
      [
        join(PACKAGE, 'dist/cli.js'),
        '--scenario',
        'smoke,smoke-history',
        // Fresh users every run: as returning visitors the clients would first wait out the server's skew window.
        '--directory',
        'full',
        '--backend',
        'sqlite',
        '--out',
        out,
        '--state',
        join(out, 'state'),
        '--redis-port',
        String(redisPort),
      ],
      { cwd: PACKAGE, encoding: 'utf8', timeout: 290_000 },
    );
    status = run.status;
    output = `${run.stdout}\n${run.stderr}`;
    report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
  }, 300_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('exits 0 and writes the JSON report and the SVG chart', () => {
    expect(status, output).toBe(0);
    expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(output).toContain('÷ ws+Redis');
    expect(report.scenarios.map((s) => s.scenario)).toEqual(['smoke', 'smoke-history']);
  });

  it('measured every target without errors', () => {
    const smoke = report.scenarios[0];
    expect(smoke.error).toBeUndefined();
    expect(smoke.targets.map((t) => t.target)).toEqual(['pychat', 'ws', 'ws+redis']);
    for (const target of smoke.targets) {
      const m = target.metrics;
      expect(target.errors, target.target).toEqual([]);
      expect(m['connect.connected'], target.target).toBe(6);
      expect(m['latency.deliveries'], target.target).toBeGreaterThan(0);
      expect(m['throughput.deliveries'], target.target).toBeGreaterThan(0);
      expect(m['throughput.deliveries'], target.target).toBe(m['throughput.expected']);
      expect(m['throughput.deliveriesPerSec'], target.target).toBeGreaterThan(0);
      expect(m['throughput.errors'], target.target).toBe(0);
      expect(m['latency.p99'], target.target).toBeGreaterThan(0);
      expect(m['latency.p99'], target.target).toBeGreaterThanOrEqual(m['latency.p50']);
      expect(m['storm.resynced'], target.target).toBe(6);
      expect(m['mem.rssConnectedMB'], target.target).toBeGreaterThan(0);
    }
  });

  it('computes Pychat ÷ baseline ratios', () => {
    const ratio = report.scenarios[0].ratios.find((r) => r.metric === 'throughput.deliveriesPerSec');
    expect(ratio?.vsWs).toBeGreaterThan(0);
    expect(ratio?.vsRedis).toBeGreaterThan(0);
    expect(report.scenarios[0].ratios.find((r) => r.metric === 'latency.p99')?.vsRedis).toBeGreaterThan(0);
  });

  it('pages through history on every target', () => {
    const history = report.scenarios[1];
    expect(history.error).toBeUndefined();
    for (const target of history.targets) {
      expect(target.errors, target.target).toEqual([]);
      expect(target.metrics['history.newestP50'], target.target).toBeGreaterThan(0);
      expect(target.metrics['history.deepP50'], target.target).toBeGreaterThan(0);
      expect(target.metrics['history.errors'], target.target).toBe(0);
    }
    expect(history.ratios.find((r) => r.metric === 'history.newestP50')?.vsWs).toBeGreaterThan(0);
  });
});
