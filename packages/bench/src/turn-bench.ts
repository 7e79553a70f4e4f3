#!/usr/bin/env node
/**
 * pychat-bench-turn: the bundled TURN server (node-turn inside Pychat) against coturn relaying the same load in
 * the same run. The load is coturn's own test client, `turnutils_uclient`, echoed by `turnutils_peer`: each session
 * allocates a relay and sends fixed-size UDP packets at a fixed interval, so a session at 1,200 bytes every 5 ms is
 * one direction of a ~2 Mbit/s video call. See packages/bench/README.md ("TURN").
 *
 *   pnpm --filter @pychat/bench bench:turn [-- --sessions 1,10,30 --messages 1000 --out bench-results]
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freeUdpPort, startInstance, tempDir, type Instance } from '@pychat/testkit';
import { sampleProc } from './proc-stats';
import { startProcess, type Proc } from './processes';

const REPO_ROOT = resolve(__dirname, '../../..');
const SECRET = randomBytes(24).toString('hex');
const REALM = 'pychat';

interface Load {
  name: string;
  sessions: number;
  messages: number;
  bytes: number;
  intervalMs: number;
}

interface RunResult {
  server: 'node-turn (bundled)' | 'coturn';
  load: Load;
  sentMsgs: number;
  recvMsgs: number;
  lostPct: number;
  rttMs: number;
  jitterMs: number;
  wallS: number;
  serverCpuMs: number;
  /** Bytes the relay forwarded: client → peer and the echo back. */
  relayedBytes: number;
}

function parseArgs(argv: string[]): { sessions: number[]; messages: number; out: string } {
  const args = { sessions: [1, 10, 30], messages: 1000, out: join(REPO_ROOT, 'bench-results') };
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1];
    if (argv[i] === '--sessions' && value) {
      args.sessions = value.split(',').map(Number);
      i += 1;
    } else if (argv[i] === '--messages' && value) {
      args.messages = Number(value);
      i += 1;
    } else if (argv[i] === '--out' && value) {
      args.out = resolve(value);
      i += 1;
    } else if (argv[i] !== '--') {
      throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

/** TURN REST credentials, as GET /api/ice-servers hands them out (and as coturn's use-auth-secret checks them). */
function credentials(): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + 3600}:1`;
  return { username, password: createHmac('sha1', SECRET).update(username).digest('base64') };
}

function runClient(args: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn('turnutils_uclient', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('error', fail);
    child.once('exit', () => {
      clearTimeout(timer);
      ok(output);
    });
  });
}

function num(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  if (!match) {
    throw new Error(`turnutils_uclient output lacks ${pattern}:\n${output.slice(-2000)}`);
  }
  return Number(match[1]);
}

async function measure(
  server: RunResult['server'],
  pid: number,
  turnPort: number,
  peerPort: number,
  load: Load,
): Promise<RunResult> {
  const { username, password } = credentials();
  const before = sampleProc(pid);
  const started = performance.now();
  const output = await runClient([
    '-c',
    '-L',
    '127.0.0.1',
    '-e',
    '127.0.0.1',
    '-r',
    String(peerPort),
    '-p',
    String(turnPort),
    '-u',
    username,
    '-w',
    password,
    '-n',
    String(load.messages),
    '-m',
    String(load.sessions),
    '-l',
    String(load.bytes),
    '-z',
    String(load.intervalMs),
    '127.0.0.1',
  ]);
  const wallS = (performance.now() - started) / 1000;
  const after = sampleProc(pid);
  if (!before || !after) {
    throw new Error(`${server} exited during the run`);
  }
  const sentMsgs = num(output, /tot_send_msgs=(\d+), tot_recv_msgs=\d+\n(?![\s\S]*tot_send_msgs=)/);
  const recvMsgs = num(output, /tot_recv_msgs=(\d+)\n(?![\s\S]*tot_recv_msgs=)/);
  return {
    server,
    load,
    sentMsgs,
    recvMsgs,
    lostPct: num(output, /Total lost packets \d+ \(([\d.]+)%\)/),
    rttMs: num(output, /Average round trip delay ([\d.]+) ms/),
    jitterMs: num(output, /Average jitter ([\d.]+) ms/),
    wallS,
    serverCpuMs: after.cpuMs - before.cpuMs,
    relayedBytes: (sentMsgs + recvMsgs) * load.bytes,
  };
}

function startCoturn(port: number, logDir: string): Proc {
  return startProcess(
    'coturn',
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      `--realm=${REALM}`,
      '--allow-loopback-peers',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--min-port=62000',
      '--max-port=62999',
      '--log-file=stdout',
      '--simple-log',
    ],
    {},
    join(logDir, 'coturn.log'),
  );
}

async function startBundled(port: number): Promise<Instance> {
  return startInstance({
    PYCHAT_DATA_DIR: tempDir('bench-turn-'),
    PYCHAT_TURN: 'on',
    PYCHAT_TURN_PORT: String(port),
    PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
    PYCHAT_TURN_RELAY_IPS: '127.0.0.1',
    PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: 'true',
    PYCHAT_TURN_SECRET: SECRET,
    PYCHAT_TURN_REALM: REALM,
    PYCHAT_TURN_MIN_PORT: '63000',
    PYCHAT_TURN_MAX_PORT: '63999',
  });
}

function render(results: RunResult[]): string {
  const rows = results.map((r) => {
    const mbit = (r.relayedBytes * 8) / r.wallS / 1e6;
    const cpuPerMb = r.serverCpuMs / (r.relayedBytes / 1e6);
    return `| ${r.server} | ${r.load.name} | ${r.sentMsgs} / ${r.recvMsgs} | ${r.lostPct.toFixed(2)} % | ${r.rttMs.toFixed(2)} | ${r.jitterMs.toFixed(2)} | ${mbit.toFixed(1)} | ${r.serverCpuMs.toFixed(0)} | ${cpuPerMb.toFixed(2)} |`;
  });
  return [
    '| server | load | sent / echoed back | lost | avg RTT ms | jitter ms | relayed Mbit/s | server CPU ms | CPU ms per MB relayed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const loads: Load[] = [
    ...args.sessions.map((sessions) => ({
      name: `${sessions} × 2 Mbit/s stream (1200 B / 5 ms)`,
      sessions,
      messages: args.messages,
      bytes: 1200,
      intervalMs: 5,
    })),
    { name: 'bulk: 4 sessions, 1200 B / 1 ms', sessions: 4, messages: args.messages * 2, bytes: 1200, intervalMs: 1 },
  ];
  const peerPort = await freeUdpPort();
  const peer = startProcess(
    'turnutils_peer',
    'turnutils_peer',
    ['-L', '127.0.0.1', '-p', String(peerPort)],
    {},
    join(args.out, 'turn-peer.log'),
  );
  const bundledPort = await freeUdpPort();
  const coturnPort = await freeUdpPort();
  const bundled = await startBundled(bundledPort);
  const coturn = startCoturn(coturnPort, args.out);
  await new Promise((ok) => setTimeout(ok, 1000));
  const results: RunResult[] = [];
  try {
    // Interleaved per load, so both servers see the same machine state.
    for (const load of loads) {
      results.push(await measure('node-turn (bundled)', bundled.process.pid!, bundledPort, peerPort, load));
      results.push(await measure('coturn', coturn.pid, coturnPort, peerPort, load));
      process.stdout.write(`${load.name}: done\n`);
    }
  } finally {
    await bundled.stop();
    await coturn.stop();
    await peer.stop();
  }
  const table = render(results);
  const file = join(args.out, `turn-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${table}\n`);
  process.stdout.write(`${table}\n\nwritten to ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
