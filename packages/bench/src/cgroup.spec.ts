/**
 * The CPU cage's file logic against a fake cgroup root: which directories it makes, what it writes where
 * (the quota math), how it reads usage back and that it removes what it made.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuCage, detectCgroup, quotaFor, realCgroupFs, type CgroupFs } from './cgroup';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Real files, except that rmdir of a cgroup (which holds control files) removes them too, and is recorded. */
function fakeFs(removed: string[]): CgroupFs {
  return {
    ...realCgroupFs,
    rmdir: (path) => {
      removed.push(path);
      rmSync(path, { recursive: true });
    },
  };
}

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pychat-fake-cgroup-'));
  roots.push(root);
  for (const [path, value] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), value);
  }
  return root;
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

const V1 = {
  'cpu/cpu.cfs_quota_us': '-1\n',
  'cpu/cpu.cfs_period_us': '100000\n',
  'cpuacct/cpuacct.usage': '0\n',
  'cpuset/cpuset.cpus': '0-1\n',
  'cpuset/cpuset.mems': '0\n',
};

describe('cgroup CPU cage', () => {
  it('turns a share of one core into a quota per period', () => {
    expect(quotaFor(0.3)).toEqual({ quotaUs: 30_000, periodUs: 100_000 });
    expect(quotaFor(0.25, 50_000)).toEqual({ quotaUs: 12_500, periodUs: 50_000 });
    expect(quotaFor(0.3, 10_000)).toEqual({ quotaUs: 3_000, periodUs: 10_000 });
    expect(quotaFor(1.5)).toEqual({ quotaUs: 150_000, periodUs: 100_000 });
    expect(() => quotaFor(0)).toThrow(/positive/);
    expect(() => quotaFor(0.005)).toThrow(/minimum is 1 ms/);
  });

  it('on cgroup v1 writes the quota, the period and the pinned core, and moves pids into every hierarchy', () => {
    const root = fakeRoot(V1);
    const removed: string[] = [];
    const cage = createCpuCage({ root, name: 'bench-1', limit: 0.3, core: 1 }, fakeFs(removed));
    expect(cage.layout).toMatchObject({ version: 1, cpuacct: join(root, 'cpuacct') });
    expect(read(root, 'cpu/bench-1/cpu.cfs_quota_us')).toBe('30000');
    expect(read(root, 'cpu/bench-1/cpu.cfs_period_us')).toBe('100000');
    expect(read(root, 'cpu/bench-1/cpu.shares')).toBe('262144');
    expect(read(root, 'cpuset/bench-1/cpuset.cpus')).toBe('1');
    expect(read(root, 'cpuset/bench-1/cpuset.mems')).toBe('0');
    // The parent's quota is left alone.
    expect(read(root, 'cpu/cpu.cfs_quota_us')).toBe('-1\n');

    cage.add(4242);
    cage.add(4343);
    for (const hierarchy of ['cpu', 'cpuacct', 'cpuset']) {
      expect(read(root, `${hierarchy}/bench-1/cgroup.procs`)).toBe('4242\n4343\n');
    }

    writeFileSync(join(root, 'cpuacct/bench-1/cpuacct.usage'), '2500000000\n');
    writeFileSync(
      join(root, 'cpu/bench-1/cpu.stat'),
      'nr_periods 100\nnr_throttled 40\nthrottled_time 1200000000\nnr_bursts 0\n',
    );
    expect(cage.usage()).toEqual({ usageUs: 2_500_000, periods: 100, throttledPeriods: 40, throttledUs: 1_200_000 });

    cage.remove();
    expect(removed.sort()).toEqual(['cpu', 'cpuacct', 'cpuset'].map((h) => join(root, h, 'bench-1')).sort());
  });

  it('on cgroup v1 with cpu and cpuacct mounted together reads usage from the cpu cgroup', () => {
    const root = fakeRoot({ ...V1, 'cpu/cpuacct.usage': '0\n', 'cpuacct/cpuacct.usage': '0\n' });
    const cage = createCpuCage({ root, name: 'b', limit: 0.5, core: null }, fakeFs([]));
    expect(cage.layout).toMatchObject({ version: 1, cpuacct: null });
    expect(cage.dirs).toEqual([join(root, 'cpu/b')]);
    expect(read(root, 'cpu/b/cpu.cfs_quota_us')).toBe('50000');
    writeFileSync(join(root, 'cpu/b/cpuacct.usage'), '1000\n');
    writeFileSync(join(root, 'cpu/b/cpu.stat'), 'nr_periods 1\nnr_throttled 0\nthrottled_time 0\n');
    expect(cage.usage().usageUs).toBe(1);
  });

  it('on cgroup v2 enables the controllers and writes cpu.max and cpuset.cpus', () => {
    const root = fakeRoot({
      'cgroup.controllers': 'cpuset cpu io memory pids\n',
      'cgroup.subtree_control': 'memory\n',
      'cpuset.cpus.effective': '0-3\n',
    });
    const removed: string[] = [];
    const cage = createCpuCage({ root, name: 'bench-2', limit: 0.3, core: 2 }, fakeFs(removed));
    expect(cage.layout).toEqual({ version: 2, root });
    expect(read(root, 'bench-2/cpu.max')).toBe('30000 100000');
    expect(read(root, 'bench-2/cpu.weight')).toBe('10000');
    expect(read(root, 'bench-2/cpuset.cpus')).toBe('2');
    // The fake file keeps only the last write; the kernel adds each controller to the list.
    expect(read(root, 'cgroup.subtree_control')).toBe('+cpuset');
    cage.add(77);
    expect(read(root, 'bench-2/cgroup.procs')).toBe('77\n');
    writeFileSync(
      join(root, 'bench-2/cpu.stat'),
      'usage_usec 900000\nuser_usec 800000\nsystem_usec 100000\nnr_periods 30\nnr_throttled 12\nthrottled_usec 450000\n',
    );
    expect(cage.usage()).toEqual({ usageUs: 900_000, periods: 30, throttledPeriods: 12, throttledUs: 450_000 });
    cage.remove();
    expect(removed).toEqual([join(root, 'bench-2')]);
  });

  it('fails with a clear message when there is no CPU controller, or no such core', () => {
    const empty = fakeRoot({ 'unified/cgroup.controllers': '\n' });
    expect(() => detectCgroup(empty)).toThrow(/neither cgroup v1 .* nor cgroup v2/);
    const v2NoCpu = fakeRoot({ 'cgroup.controllers': 'memory pids\n' });
    expect(() => detectCgroup(v2NoCpu)).toThrow(/no cgroup CPU controller/);

    const root = fakeRoot(V1);
    const removed: string[] = [];
    expect(() => createCpuCage({ root, name: 'x', limit: 0.3, core: 5 }, fakeFs(removed))).toThrow(
      /core 5 is not among this machine's cpus \(0-1\)/,
    );
    expect(removed).toEqual([]);
  });
});
