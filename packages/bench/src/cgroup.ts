/**
 * A CPU "cage" for the server under test: a cgroup with a CPU quota (a share of one core) and a cpuset of one
 * core, so Pychat runs at roughly the speed of a small board (issue 17, target 6: a Raspberry Pi 4 core is a
 * quarter to a third of a current server core). Works with cgroup v1 (cpu, cpuacct and cpuset hierarchies under
 * the root, e.g. /sys/fs/cgroup/cpu) and cgroup v2 (one unified hierarchy, `cpu.max`), detected at run time.
 * Needs root (or a delegated cgroup); fails with a message saying what it could not write.
 *
 * Every file access goes through `CgroupFs`, so the unit test runs it against a fake root directory.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupFs {
  exists(path: string): boolean;
  read(path: string): string;
  /** Replaces a control file's value. */
  write(path: string, value: string): void;
  /** Adds a line (cgroup.procs takes one pid per write). */
  append(path: string, value: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
  realpath(path: string): string;
}

export const realCgroupFs: CgroupFs = {
  exists: existsSync,
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, value) => writeFileSync(path, value),
  append: (path, value) => appendFileSync(path, value),
  mkdir: (path) => mkdirSync(path),
  rmdir: (path) => rmdirSync(path),
  realpath: (path) => realpathSync(path),
};

export type CgroupLayout =
  /** Separate hierarchies; cpuacct may be co-mounted with cpu (then it is null and cpu has cpuacct.usage). */
  { version: 1; cpu: string; cpuacct: string | null; cpuset: string | null } | { version: 2; root: string };

/**
 * The cage's weight against every other task: the highest the kernel takes (v1 cpu.shares, v2 cpu.weight). The
 * quota caps it; the weight makes it get that much on a busy machine, as it would on a board of its own, instead
 * of a fair share among the other runnable tasks (a tenth of a core at a load average of 20 on two cores).
 */
export const V1_SHARES = 262_144;
export const V2_WEIGHT = 10_000;

/** The kernel refuses quotas below 1 ms per period. */
const MIN_QUOTA_US = 1_000;

/** Quota per period for a CPU limit in cores (0.3 = 30 % of one core): 0.3 × 100,000 µs = 30,000 µs. */
export function quotaFor(limit: number, periodUs = 100_000): { quotaUs: number; periodUs: number } {
  if (!Number.isFinite(limit) || limit <= 0) {
    throw new Error(`CPU limit must be a positive number of cores, got ${limit}`);
  }
  if (!Number.isInteger(periodUs) || periodUs < 1_000 || periodUs > 1_000_000) {
    throw new Error(`CPU period must be 1,000–1,000,000 µs, got ${periodUs}`);
  }
  const quotaUs = Math.round(limit * periodUs);
  if (quotaUs < MIN_QUOTA_US) {
    throw new Error(
      `CPU limit ${limit} gives a quota of ${quotaUs} µs per ${periodUs} µs; the kernel's minimum is 1 ms`,
    );
  }
  return { quotaUs, periodUs };
}

/** Finds a writable CPU controller under `root` (default /sys/fs/cgroup), v1 first, then v2. */
export function detectCgroup(root = '/sys/fs/cgroup', fs: CgroupFs = realCgroupFs): CgroupLayout {
  const cpu = join(root, 'cpu');
  if (fs.exists(join(cpu, 'cpu.cfs_quota_us'))) {
    const cpuacct = join(root, 'cpuacct');
    const separateAcct =
      !fs.exists(join(cpu, 'cpuacct.usage')) &&
      fs.exists(join(cpuacct, 'cpuacct.usage')) &&
      fs.realpath(cpuacct) !== fs.realpath(cpu);
    const cpuset = join(root, 'cpuset');
    return {
      version: 1,
      cpu,
      cpuacct: separateAcct ? cpuacct : null,
      cpuset: fs.exists(join(cpuset, 'cpuset.cpus')) ? cpuset : null,
    };
  }
  const controllers = join(root, 'cgroup.controllers');
  if (fs.exists(controllers) && fs.read(controllers).split(/\s+/).includes('cpu')) {
    return { version: 2, root };
  }
  throw new Error(
    `no cgroup CPU controller under ${root}: neither cgroup v1 (${cpu}/cpu.cfs_quota_us) nor cgroup v2 ` +
      `(${controllers} listing "cpu"). --cpu-limit needs one, and root to write it`,
  );
}

export interface CageUsage {
  /** CPU time used by every process in the cage since it was made, µs. */
  usageUs: number;
  /** Scheduler periods with runnable tasks, and how many of them ran out of quota. */
  periods: number;
  throttledPeriods: number;
  throttledUs: number;
}

export interface CpuCage {
  layout: CgroupLayout;
  limit: number;
  core: number | null;
  quotaUs: number;
  periodUs: number;
  /** Every cgroup directory made (one per v1 hierarchy, one on v2). */
  dirs: string[];
  /** Moves a process (all its threads) into the cage. */
  add(pid: number): void;
  usage(): CageUsage;
  /** Removes the cgroups; their processes must have exited. */
  remove(): void;
}

export interface CageOptions {
  /** Cores the cage may use per period: 0.3 = 30 % of one core. */
  limit: number;
  /** Pin to this CPU (cpuset); null = any core. */
  core: number | null;
  /** Directory name of the cgroup(s), e.g. pychat-bench-<pid>. */
  name: string;
  periodUs?: number;
  root?: string;
}

function wrap<T>(what: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Error(`cgroup: could not ${what}: ${(error as Error).message} (run as root, or on a delegated cgroup)`, {
      cause: error,
    });
  }
}

function parseStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) {
      out[key] = Number(value);
    }
  }
  return out;
}

export function createCpuCage(options: CageOptions, fs: CgroupFs = realCgroupFs): CpuCage {
  const layout = detectCgroup(options.root, fs);
  const { quotaUs, periodUs } = quotaFor(options.limit, options.periodUs);
  const core = options.core;
  const dirs: string[] = [];
  const make = (dir: string) => {
    wrap(`create ${dir}`, () => fs.mkdir(dir));
    dirs.push(dir);
  };
  const set = (file: string, value: string) => wrap(`write ${value} to ${file}`, () => fs.write(file, value));
  const remove = () => {
    // Children before parents; v1 hierarchies are siblings, so order does not matter there.
    for (const dir of [...dirs].reverse()) {
      try {
        fs.rmdir(dir);
      } catch (error) {
        console.error(`cgroup: could not remove ${dir}: ${(error as Error).message}`);
      }
    }
    dirs.length = 0;
  };
  // What both hierarchies' cages share; each adds how to move a pid in and read its CPU use.
  const common = { layout, limit: options.limit, core, quotaUs, periodUs, dirs, remove };
  try {
    if (layout.version === 1) {
      if (core !== null && !layout.cpuset) {
        throw new Error(`cgroup: no cpuset hierarchy to pin to core ${core}`);
      }
      // The cpuset first: a task may only join a cpuset with cpus and mems set.
      let cpusetDir: string | null = null;
      if (core !== null && layout.cpuset) {
        checkCore(core, fs.read(join(layout.cpuset, 'cpuset.cpus')));
        cpusetDir = join(layout.cpuset, options.name);
        make(cpusetDir);
        set(join(cpusetDir, 'cpuset.cpus'), String(core));
        set(join(cpusetDir, 'cpuset.mems'), fs.read(join(layout.cpuset, 'cpuset.mems')).trim());
      }
      const cpuDir = join(layout.cpu, options.name);
      make(cpuDir);
      set(join(cpuDir, 'cpu.cfs_period_us'), String(periodUs));
      set(join(cpuDir, 'cpu.cfs_quota_us'), String(quotaUs));
      set(join(cpuDir, 'cpu.shares'), String(V1_SHARES));
      let acctDir = cpuDir;
      if (layout.cpuacct) {
        acctDir = join(layout.cpuacct, options.name);
        make(acctDir);
      }
      const procs = [cpuDir, ...(acctDir !== cpuDir ? [acctDir] : []), ...(cpusetDir ? [cpusetDir] : [])];
      return {
        ...common,
        add: (pid) => {
          for (const dir of procs) {
            wrap(`move pid ${pid} into ${dir}`, () => fs.append(join(dir, 'cgroup.procs'), `${pid}\n`));
          }
        },
        usage: () => {
          const stat = parseStat(fs.read(join(cpuDir, 'cpu.stat')));
          return {
            usageUs: Number(fs.read(join(acctDir, 'cpuacct.usage')).trim()) / 1_000,
            periods: stat.nr_periods ?? 0,
            throttledPeriods: stat.nr_throttled ?? 0,
            throttledUs: (stat.throttled_time ?? 0) / 1_000,
          };
        },
      };
    }
    // v2: controllers must be enabled for the children of the root before a child can use them.
    const enabled = fs.read(join(layout.root, 'cgroup.subtree_control')).split(/\s+/);
    const available = fs.read(join(layout.root, 'cgroup.controllers')).split(/\s+/);
    const wanted = ['cpu', ...(core !== null ? ['cpuset'] : [])];
    for (const controller of wanted) {
      if (!available.includes(controller)) {
        throw new Error(`cgroup: the v2 hierarchy at ${layout.root} has no ${controller} controller`);
      }
      if (!enabled.includes(controller)) {
        set(join(layout.root, 'cgroup.subtree_control'), `+${controller}`);
      }
    }
    const dir = join(layout.root, options.name);
    make(dir);
    set(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    set(join(dir, 'cpu.weight'), String(V2_WEIGHT));
    if (core !== null) {
      checkCore(core, fs.read(join(layout.root, 'cpuset.cpus.effective')));
      set(join(dir, 'cpuset.cpus'), String(core));
    }
    return {
      ...common,
      add: (pid) => wrap(`move pid ${pid} into ${dir}`, () => fs.append(join(dir, 'cgroup.procs'), `${pid}\n`)),
      usage: () => {
        const stat = parseStat(fs.read(join(dir, 'cpu.stat')));
        return {
          usageUs: stat.usage_usec ?? 0,
          periods: stat.nr_periods ?? 0,
          throttledPeriods: stat.nr_throttled ?? 0,
          throttledUs: stat.throttled_usec ?? 0,
        };
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Throws unless `core` is in a cpuset list such as "0-1" or "0,2-3". */
function checkCore(core: number, list: string): void {
  const cores = new Set<number>();
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) {
      cores.add(c);
    }
  }
  if (!cores.has(core)) {
    throw new Error(`cgroup: core ${core} is not among this machine's cpus (${list.trim()})`);
  }
}
