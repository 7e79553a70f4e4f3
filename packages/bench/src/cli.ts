#!/usr/bin/env node
/**
 * pychat-bench: runs the scenarios of issue 4 against Pychat and against the two baselines (raw ws,
 * ws+Redis) in the same run, and prints Pychat ÷ baseline ratios. See packages/bench/README.md.
 *
 *   pnpm --filter @pychat/bench bench -- --scenario room-1k,history-1m --backend sqlite
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createCpuCage, type CpuCage } from './cgroup';
import type { Backend } from './fixtures';
import { killAllStarted, sleep } from './processes';
import { renderTable, writeReport } from './report';
import { TARGETS, type Report, type ScenarioResult, type TargetName } from './results';
import { runScenario } from './runner';
import { ALL, findScenario, type Ramp } from './scenarios';
import { startMariadbAndRedis, startRedis, type Services } from './services';

const REPO_ROOT = resolve(__dirname, '../../..');

const HELP = `pychat-bench [options]
  --scenario a,b,…     room-100 room-1k room-5k rooms-500x10 idle-15k reconnect-1k history-1m smoke smoke-history, or all
                       (default room-1k)
  --backend b          sqlite | mariadb | both (default sqlite). mariadb = MariaDB + Redis
  --instances n        Pychat instances (default 1 on sqlite, 2 on mariadb); ws+Redis baseline runs as many
  --targets list       pychat,ws,ws+redis (default all three)
  --drivers n          load-driver processes (default 1)
  --duration s         override every load phase's duration (default: the scenario's, 10 s)
  --out dir            reports (default bench-results/)
  --state dir          databases, user cache, MariaDB/Redis data (default .test-state/bench/)
  --db-port p          MariaDB port (default 3327)   --redis-port p   Redis port (default 6400)
  --keep-services      leave MariaDB/Redis running when this run started them (keeps the MariaDB user cache valid)
  --profile            run Pychat with --cpu-prof; profiles go to <out>/profiles/
  --log-level l        Pychat's PYCHAT_LOG_LEVEL (default warn)
  --ping-interval s    each client sends session.ping this often (default 30)
  --payload n          message content length in characters (default 100)
  --signup-concurrency n  parallel sign-ups while building a user pool (default 8)
  --pychat-main path   server entry (default packages/backend/dist/main.js)
  --directory d        cached (default): clients connect as returning visitors, with usersSince = the run's
                       start, so session.ready carries no user directory; full: first visits, whole directory
  --setup-only         only build the users, rooms and history the scenarios need (and cache them)
  --cpu-limit c        run Pychat in a cgroup with a CPU quota of c cores (0.3 = 30 % of one core; cgroup v1 or
                       v2, needs root); the cgroup is removed at the end. Raspberry Pi class: --cpu-limit 0.3 --cpu-core 1
  --cpu-core n         pin that cgroup to core n (cpuset)
  --cpu-period us      quota period (default 10000 µs: short periods make a capped core slow evenly, as a small
                       board is, instead of running at full speed and then stalling for the rest of a long period)
  --cage-baselines     put the baselines in the same cgroup too (one at a time, as Pychat)
  --driver-core n      run the load drivers in a cgroup of their own on core n, with the highest weight and no
                       quota below that core, so a busy machine does not delay the clients' side of the latency
  --ramp a,b,…         instead of the scenario's load phases, step the number of active users (each sends one
                       message every --ramp-interval s) until a step's send→deliver p99 exceeds --ramp-p99
  --ramp-interval s    seconds between two messages of one active user (default 60)
  --ramp-p99 ms        latency limit of a step (default 200)
  --ramp-step s        seconds per step (default 15; --duration overrides it)
  --ramp-retries n     run a step that missed again, up to n times (default 0); the JSON keeps the missed p99`;

interface Args {
  directory: 'cached' | 'full';
  scenarios: string[];
  backends: Backend[];
  instances: number | null;
  targets: TargetName[];
  drivers: number;
  durationS: number | null;
  out: string;
  state: string;
  dbPort: number;
  redisPort: number;
  keepServices: boolean;
  profile: boolean;
  logLevel: string;
  pingIntervalS: number;
  payload: number;
  signUpConcurrency: number;
  pychatMain: string;
  setupOnly: boolean;
  cpuLimit: number | null;
  cpuCore: number | null;
  cpuPeriodUs: number;
  cageBaselines: boolean;
  driverCore: number | null;
  ramp: Ramp | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    directory: 'cached',
    scenarios: ['room-1k'],
    backends: ['sqlite'],
    instances: null,
    targets: [...TARGETS],
    drivers: 1,
    durationS: null,
    out: join(REPO_ROOT, 'bench-results'),
    state: join(REPO_ROOT, '.test-state', 'bench'),
    dbPort: 3327,
    redisPort: 6400,
    keepServices: false,
    profile: false,
    logLevel: 'warn',
    pingIntervalS: 30,
    payload: 100,
    signUpConcurrency: 8,
    pychatMain: join(REPO_ROOT, 'packages/backend/dist/main.js'),
    setupOnly: false,
    cpuLimit: null,
    cpuCore: null,
    cpuPeriodUs: 10_000,
    cageBaselines: false,
    driverCore: null,
    ramp: null,
  };
  let rampUsers: number[] | null = null;
  const rampRest = { intervalS: 60, p99Ms: 200, stepS: 15, retries: 0 };
  const list = argv.filter((a) => a !== '--');
  for (let i = 0; i < list.length; i++) {
    const flag = list[i];
    const value = () => {
      const v = list[++i];
      if (v === undefined) {
        throw new Error(`${flag} needs a value`);
      }
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) {
        throw new Error(`${flag} needs a positive number`);
      }
      return n;
    };
    switch (flag) {
      case '--scenario':
      case '--scenarios': {
        const v = value();
        args.scenarios = v === 'all' ? [...ALL] : v.split(',').filter(Boolean);
        break;
      }
      case '--backend': {
        const v = value();
        if (v !== 'sqlite' && v !== 'mariadb' && v !== 'both') {
          throw new Error('--backend is sqlite, mariadb or both');
        }
        args.backends = v === 'both' ? ['sqlite', 'mariadb'] : [v];
        break;
      }
      case '--instances':
        args.instances = int();
        break;
      case '--targets': {
        const names = value().split(',');
        for (const name of names) {
          if (!TARGETS.includes(name as TargetName)) {
            throw new Error(`unknown target ${name}; known: ${TARGETS.join(', ')}`);
          }
        }
        args.targets = names as TargetName[];
        break;
      }
      case '--drivers':
        args.drivers = int();
        break;
      case '--duration':
        args.durationS = int();
        break;
      case '--out':
        args.out = resolve(value());
        break;
      case '--state':
        args.state = resolve(value());
        break;
      case '--db-port':
        args.dbPort = int();
        break;
      case '--redis-port':
        args.redisPort = int();
        break;
      case '--keep-services':
        args.keepServices = true;
        break;
      case '--profile':
        args.profile = true;
        break;
      case '--log-level':
        args.logLevel = value();
        break;
      case '--ping-interval':
        args.pingIntervalS = int();
        break;
      case '--payload':
        args.payload = int();
        break;
      case '--signup-concurrency':
        args.signUpConcurrency = int();
        break;
      case '--pychat-main':
        args.pychatMain = resolve(value());
        break;
      case '--setup-only':
        args.setupOnly = true;
        break;
      case '--cpu-limit':
        args.cpuLimit = int();
        break;
      case '--cpu-core': {
        const core = Number(value());
        if (!Number.isInteger(core) || core < 0) {
          throw new Error('--cpu-core needs a core number (0, 1, …)');
        }
        args.cpuCore = core;
        break;
      }
      case '--cpu-period':
        args.cpuPeriodUs = int();
        break;
      case '--driver-core': {
        const core = Number(value());
        if (!Number.isInteger(core) || core < 0) {
          throw new Error('--driver-core needs a core number (0, 1, …)');
        }
        args.driverCore = core;
        break;
      }
      case '--cage-baselines':
        args.cageBaselines = true;
        break;
      case '--ramp':
        rampUsers = value()
          .split(',')
          .map((v) => Number(v));
        if (rampUsers.some((n) => !Number.isInteger(n) || n <= 0)) {
          throw new Error('--ramp needs a list of positive whole numbers of active users, e.g. 100,200,400');
        }
        break;
      case '--ramp-interval':
        rampRest.intervalS = int();
        break;
      case '--ramp-p99':
        rampRest.p99Ms = int();
        break;
      case '--ramp-retries': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) {
          throw new Error('--ramp-retries needs a whole number');
        }
        rampRest.retries = n;
        break;
      }
      case '--ramp-step':
        rampRest.stepS = int();
        break;
      case '--directory': {
        const d = value();
        if (d !== 'cached' && d !== 'full') {
          throw new Error('--directory is cached or full');
        }
        args.directory = d;
        break;
      }
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\n${HELP}`);
    }
  }
  for (const name of args.scenarios) {
    findScenario(name);
  }
  if (rampUsers) {
    args.ramp = { users: [...rampUsers].sort((a, b) => a - b), ...rampRest };
  }
  if ((args.cpuCore !== null || args.cageBaselines) && args.cpuLimit === null) {
    throw new Error('--cpu-core and --cage-baselines need --cpu-limit');
  }
  return args;
}

function git(...command: string[]): string {
  try {
    return execFileSync('git', command, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function fdLimit(): string {
  try {
    return execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.pychatMain)) {
    throw new Error(`${args.pychatMain} not found: build the backend first (pnpm --filter @pychat/backend build)`);
  }
  const startedAt = new Date();
  const name = `bench-${startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const logDir = join(args.out, 'logs', name);
  mkdirSync(logDir, { recursive: true });
  const report: Report = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    command: `pychat-bench ${process.argv.slice(2).join(' ')}`,
    machine: {
      cpu: cpus()[0]?.model ?? '?',
      cores: cpus().length,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kernel: release(),
      fdLimit: fdLimit(),
    },
    git: {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'packages/backend', 'packages/protocol') !== '',
    },
    options: { ...args },
    scenarios: [],
  };
  console.log(`pychat-bench: ${args.scenarios.join(', ')} on ${args.backends.join(', ')}; logs in ${logDir}`);

  let cage: CpuCage | null = null;
  if (args.cpuLimit !== null && !args.setupOnly) {
    cage = createCpuCage({
      limit: args.cpuLimit,
      core: args.cpuCore,
      periodUs: args.cpuPeriodUs,
      name: `pychat-bench-${process.pid}`,
    });
    report.cpuCage = {
      cgroup: cage.layout.version,
      dirs: cage.dirs,
      quotaUs: cage.quotaUs,
      periodUs: cage.periodUs,
      core: cage.core,
      baselines: args.cageBaselines,
    };
    console.log(
      `CPU cage: cgroup v${cage.layout.version}, ${cage.quotaUs} µs per ${cage.periodUs} µs` +
        `${cage.core !== null ? ` on core ${cage.core}` : ''} (${cage.dirs.join(', ')})`,
    );
  }
  let driverCage: CpuCage | null = null;
  if (args.driverCore !== null && !args.setupOnly) {
    driverCage = createCpuCage({
      limit: 1,
      core: args.driverCore,
      periodUs: args.cpuPeriodUs,
      name: `pychat-bench-${process.pid}-driver`,
    });
    console.log(`load drivers: cgroup v${driverCage.layout.version} on core ${args.driverCore}`);
  }
  const removeCage = () => {
    cage?.remove();
    cage = null;
    driverCage?.remove();
    driverCage = null;
  };

  let services: Services | null = null;
  const cleanup = async () => {
    killAllStarted();
    await services?.stop().catch(() => undefined);
    // A cgroup can only go once its processes have exited.
    await sleep(500);
    removeCage();
  };
  process.once('SIGINT', () => {
    console.log('\ninterrupted: stopping servers');
    void cleanup().then(() => process.exit(130));
  });
  process.once('exit', () => {
    killAllStarted();
    removeCage();
  });

  try {
    for (const backend of args.backends) {
      services =
        backend === 'mariadb'
          ? await startMariadbAndRedis({
              repoRoot: REPO_ROOT,
              stateDir: args.state,
              dbPort: args.dbPort,
              redisPort: args.redisPort,
              keep: args.keepServices,
            })
          : await startRedis(args.redisPort, logDir);
      const instances = args.instances ?? (backend === 'mariadb' ? 2 : 1);
      for (const scenarioName of args.scenarios) {
        const scenario = findScenario(scenarioName);
        console.log(`\n● ${scenario.name} on ${backend} (${scenario.description})`);
        let result: ScenarioResult;
        try {
          result = await runScenario(scenario, {
            backend,
            instances,
            targets: args.targets,
            drivers: args.drivers,
            stateDir: args.state,
            logDir,
            profileDir: args.profile ? join(args.out, 'profiles', name) : null,
            pychatMain: args.pychatMain,
            logLevel: args.logLevel,
            services,
            runTag: randomBytes(3).toString('hex'),
            pingIntervalMs: args.pingIntervalS * 1000,
            payloadBytes: args.payload,
            durationS: args.durationS,
            signUpConcurrency: args.signUpConcurrency,
            setupOnly: args.setupOnly,
            directory: args.directory,
            cage,
            cageBaselines: args.cageBaselines,
            driverCage,
            ramp: args.ramp,
          });
        } catch (error) {
          result = {
            scenario: scenario.name,
            description: scenario.description,
            backend,
            instances,
            clients: 0,
            targets: [],
            ratios: [],
            checks: [],
            error: String((error as Error).stack ?? error),
          };
        }
        report.scenarios.push(result);
        console.log(renderTable(result));
        // Written after every scenario, so a long run interrupted late keeps what it measured.
        report.finishedAt = new Date().toISOString();
        writeReport(report, args.out, name);
      }
      await services.stop();
      services = null;
    }
  } finally {
    await cleanup();
  }
  report.finishedAt = new Date().toISOString();
  const files = writeReport(report, args.out, name);
  console.log('\n════════ summary ════════');
  for (const scenario of report.scenarios) {
    console.log(renderTable(scenario));
  }
  console.log(`\nreport: ${files.json}\nchart:  ${files.svg}`);
  const failed = report.scenarios.some((s) => s.error || s.targets.some((t) => t.errors.length > 0));
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(String((error as Error).stack ?? error));
  killAllStarted();
  process.exit(2);
});
