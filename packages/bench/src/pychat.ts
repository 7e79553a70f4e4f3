/**
 * Starting the server under test (`node packages/backend/dist/main.js`). Talking to it (REST, the setup's
 * WebSocket requests) goes through @pychat/testkit. The server is started here, not with the kit's
 * startInstance: the bench appends its output to a log file instead of memory, may add profiling flags,
 * waits up to two minutes on a loaded machine, and registers it so an interrupted run kills it.
 */
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@pychat/protocol';
import { freePort } from '@pychat/testkit';
import { startProcess, waitHealthy, type Proc } from './processes';

export interface Instance {
  proc: Proc;
  port: number;
  url: string;
  wsUrl: string;
}

export interface PychatOptions {
  main: string;
  dbUrl: string;
  redisUrl: string | null;
  redisPrefix: string;
  dataDir: string;
  logFile: string;
  logLevel: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs: string[];
  instanceId: string;
  /** Called with the pid right after the spawn, before the server starts up (the CPU cage's `add`). */
  onSpawn?: (pid: number) => void;
}

export async function startPychat(options: PychatOptions): Promise<Instance> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    PYCHAT_HOST: '127.0.0.1',
    PYCHAT_PORT: String(port),
    PYCHAT_DB_URL: options.dbUrl,
    PYCHAT_DATA_DIR: options.dataDir,
    PYCHAT_LOG_LEVEL: options.logLevel,
    PYCHAT_INSTANCE_ID: options.instanceId,
    PYCHAT_STATIC_DIR: join(options.dataDir, 'no-static'),
    // Fixtures sign up thousands of users from 127.0.0.1.
    PYCHAT_SIGNUP_MAX_PER_IP: '1000000',
    // Throughput phases send as fast as the server answers (hundreds of messages per second per sender),
    // far above the abuse budget of 10/s per socket: the bench measures the server, not the limiter.
    PYCHAT_WS_SEND_PER_S: '1000000',
    PYCHAT_WS_SEND_BURST: '1000000',
    // The fixtures create up to 500 rooms from one admin's socket: past the per-minute create budget and the
    // rooms-per-admin cap meant for people.
    PYCHAT_WS_CREATE_PER_MIN: '1000000',
    PYCHAT_WS_CREATE_BURST: '1000000',
    PYCHAT_MAX_ROOMS_PER_USER: '1000000',
    PYCHAT_MAX_CHANNELS_PER_USER: '1000000',
    // Queued frames: a sender's window is small, but keep the bound out of the way of any scenario.
    PYCHAT_WS_MAX_QUEUED_FRAMES: '100000',
  };
  if (options.redisUrl) {
    env.PYCHAT_REDIS_URL = options.redisUrl;
    env.PYCHAT_REDIS_PREFIX = options.redisPrefix;
  }
  const proc = startProcess(
    `pychat ${options.instanceId}`,
    process.execPath,
    [...options.nodeArgs, options.main],
    env,
    options.logFile,
  );
  if (options.onSpawn) {
    try {
      options.onSpawn(proc.pid);
    } catch (error) {
      await proc.stop(1_000);
      throw error;
    }
  }
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/api/health`, proc, 120_000, options.logFile);
  return { proc, port, url, wsUrl: `ws://127.0.0.1:${port}/ws?v=${PROTOCOL_VERSION}` };
}
