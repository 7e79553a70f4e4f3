import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { IceServersResponse } from '@pychat/protocol';
import { BACKEND_MAIN, freeUdpPort } from '@pychat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startInstance, tempDir, type Instance } from './stack';

/**
 * The bundled TURN server (patched node-turn inside `node dist/main.js`, PYCHAT_TURN=on) against coturn's own
 * test client, with credentials from GET /api/ice-servers. Needs the Debian package `coturn` (only its
 * turnutils_* tools are used; scripts/test.sh installs it). Each case runs over UDP and over TCP (`-t`: client
 * to server on TCP, relay to the peer on UDP, as browsers use `turn:…?transport=tcp`).
 */
const SECRET = 'e2e-turn-secret-0123456789abcdef';

/** PYCHAT_TURN=on on 127.0.0.1 (every peer here is on loopback), relay ports minPort..minPort+49. */
function turnEnv(turnPort: number, minPort: number): Record<string, string> {
  return {
    PYCHAT_DB_URL: 'sqlite::memory:',
    PYCHAT_DATA_DIR: tempDir('turn'),
    PYCHAT_TURN: 'on',
    PYCHAT_TURN_PORT: String(turnPort),
    PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
    PYCHAT_TURN_MIN_PORT: String(minPort),
    PYCHAT_TURN_MAX_PORT: String(minPort + 49),
    PYCHAT_TURN_SECRET: SECRET,
  };
}

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('turnutils_uclient', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('bundled TURN server (node-turn) with coturn turnutils_uclient', () => {
  let server: Instance;
  let peer: ChildProcess;
  let turnPort: number;
  let peerPort: number;
  let username: string;
  let credential: string;
  let userId: number;
  let relayBase: number;

  beforeAll(async () => {
    // Fails (not skips) without coturn's tools: the test command installs them.
    expect(spawnSync('turnutils_uclient', ['-h']).error, 'turnutils_uclient missing: apt-get install coturn').toBe(
      undefined,
    );
    turnPort = await freeUdpPort();
    peerPort = await freeUdpPort();
    // A relay range of its own, away from the kernel's ephemeral ports (32768-60999).
    const minPort = 61000 + Math.floor(Math.random() * 40) * 100;
    relayBase = minPort;
    server = await startInstance({ ...turnEnv(turnPort, minPort), PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: 'true' });
    peer = spawn('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)], { stdio: 'ignore' });
    const auth = await signUp(server);
    userId = auth.user.id;
    const res = await api<IceServersResponse>(server, 'GET', '/api/ice-servers', undefined, auth.token);
    expect(res.status).toBe(200);
    const [ice] = IceServersResponse.parse(res.body).iceServers;
    expect(ice.urls).toContain(`turn:127.0.0.1:${turnPort}?transport=udp`);
    expect(ice.urls).toContain(`turn:127.0.0.1:${turnPort}?transport=tcp`);
    username = ice.username!;
    credential = ice.credential!;
  });

  afterAll(async () => {
    peer?.kill();
    // The patched stop() closes relay sockets and timers: SIGTERM must end the process cleanly.
    expect(await server?.stop()).toBe(0);
  });

  const runUclient = (
    extra: string[],
    port: number,
    user: string,
    password: string,
    messages: number,
    clients: number,
    timeoutMs: number,
  ) =>
    run(
      [...extra, '-c', '-L', '127.0.0.1', '-e', '127.0.0.1', '-r', String(peerPort), '-p', String(port)].concat([
        '-u',
        user,
        '-w',
        password,
        '-n',
        String(messages),
        '-m',
        String(clients),
        '127.0.0.1',
      ]),
      timeoutMs,
    );
  const uclient = (extra: string[], user: string, password: string, timeoutMs: number) =>
    runUclient(extra, turnPort, user, password, 20, 2, timeoutMs);

  it.each([
    ['ChannelData (ChannelBind, then channel messages)', 'UDP', []],
    ['Send/Data indications', 'UDP', ['-s']],
    ['client to client through two relays', 'UDP', ['-y']],
    ['ChannelData (ChannelBind, then channel messages)', 'TCP', ['-t']],
    ['Send/Data indications', 'TCP', ['-t', '-s']],
    ['client to client through two relays', 'TCP', ['-t', '-y']],
  ])('relays %s over %s with the API credentials: 40 of 40 messages, none lost', async (_name, _transport, mode) => {
    const { code, output } = await uclient(mode, username, credential, 20_000);
    expect(output).toContain('tot_send_msgs=40, tot_recv_msgs=40');
    expect(output).toMatch(/Total lost packets 0 \(0\.0+%\)/);
    expect(code, output).toBe(0);
  });

  it("refuses to relay to a loopback peer by default (the server's own UDP services stay out of reach)", async () => {
    const port = await freeUdpPort();
    const guarded = await startInstance(turnEnv(port, relayBase + 50));
    try {
      const expiry = Math.floor(Date.now() / 1000) + 60;
      const user = `${expiry}:${userId}`;
      const password = createHmac('sha1', SECRET).update(user).digest('base64');
      const { code, output } = await run(
        ['-c', '-L', '127.0.0.1', '-e', '127.0.0.1', '-r', String(peerPort), '-p', String(port)].concat([
          '-u',
          user,
          '-w',
          password,
          '-n',
          '20',
          '-m',
          '2',
          '127.0.0.1',
        ]),
        8_000,
      );
      expect(output).toContain('error 403');
      expect(output).not.toContain('Total lost packets');
      expect(code).not.toBe(0);
    } finally {
      await guarded.stop();
    }
  });

  it('stop() releases the relay sockets and timers of live allocations: the process exits by itself', async () => {
    const port = await freeUdpPort();
    const script = `
      const { startTurnServer } = require(${JSON.stringify(join(dirname(BACKEND_MAIN), 'turn/turn-server.js'))});
      const log = { child: () => log, info() {}, warn() {} };
      startTurnServer({ port: ${port}, tcp: true, listenIps: ['127.0.0.1'], relayIps: [], externalIp: null,
        allowLoopbackPeers: true, deniedPeers: [], minPort: ${relayBase + 50}, maxPort: ${relayBase + 99},
        secret: null, realm: 'pychat', urls: [], credentialTtlS: 600 }, ${JSON.stringify(SECRET)}, log)
        .then((turn) => { process.once('SIGUSR2', () => turn.stop()); console.log('ready'); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // An allocation (lifetime 600 s) with a permission and a channel stays behind on the server.
    const { code } = await run(
      ['-c', '-L', '127.0.0.1', '-e', '127.0.0.1', '-r', String(peerPort), '-p', String(port)].concat([
        '-u',
        username,
        '-w',
        credential,
        '-n',
        '5',
        '-m',
        '1',
        '127.0.0.1',
      ]),
      10_000,
    );
    expect(code).toBe(0);
    child.kill('SIGUSR2');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 3_000));
    const result = await Promise.race([exited, timeout]);
    child.kill('SIGKILL');
    expect(result).toBe(0);
  });

  it.each([
    ['UDP', []],
    ['TCP', ['-t']],
  ])('refuses a wrong password over %s', async (_transport, mode) => {
    const { code, output } = await uclient(mode, username, `${credential.slice(0, -2)}A=`, 8_000);
    // The server was reached and said no (not a refused connection, which would also fail the client).
    expect(output).toContain('Cannot complete Allocation');
    expect(output).not.toContain('Total lost packets');
    expect(code).not.toBe(0);
  });

  it.each([
    ['UDP', []],
    ['TCP', ['-t']],
  ])('refuses an expired username even with its correct HMAC over %s', async (_transport, mode) => {
    const expired = `${Math.floor(Date.now() / 1000) - 5}:${userId}`;
    const password = createHmac('sha1', SECRET).update(expired).digest('base64');
    const { code, output } = await uclient(mode, expired, password, 8_000);
    expect(output).toContain('Cannot complete Allocation');
    expect(output).not.toContain('Total lost packets');
    expect(code).not.toBe(0);
  });

  it("frees a TCP client's allocation when its connection drops: a 4-port relay range outlives killed clients", async () => {
    // A killed uclient cannot deallocate (Refresh with lifetime 0); only its TCP connection ends. Were its
    // allocation kept for the 600 s lifetime, four kills would fill the range and the last run would get
    // 508 Insufficient Capacity.
    const port = await freeUdpPort();
    const small = await startInstance({
      ...turnEnv(port, relayBase + 100),
      PYCHAT_TURN_MAX_PORT: String(relayBase + 103),
      PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: 'true',
    });
    const args = (messages: number) =>
      ['-t', '-c', '-L', '127.0.0.1', '-e', '127.0.0.1', '-r', String(peerPort), '-p', String(port)].concat([
        '-u',
        username,
        '-w',
        credential,
        '-n',
        String(messages),
        '-m',
        '1',
        '127.0.0.1',
      ]);
    try {
      for (let kill = 0; kill < 4; kill++) {
        const child = spawn('turnutils_uclient', args(100_000), { stdio: ['ignore', 'pipe', 'pipe'] });
        const exited = new Promise((resolve) => child.once('exit', resolve));
        let output = '';
        // Relaying has started once uclient reports its first counters: the allocation exists.
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`uclient never started relaying: ${output}`)), 10_000);
          child.stdout.on('data', (c: Buffer) => {
            output += c.toString();
            if (output.includes('start_mclient')) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        expect(output).not.toContain('error');
        child.kill('SIGKILL');
        await exited;
      }
      const { code, output } = await runUclient(['-t'], port, username, credential, 5, 1, 15_000);
      expect(output).toContain('tot_send_msgs=5, tot_recv_msgs=5');
      expect(code, output).toBe(0);
    } finally {
      await small.stop();
    }
  });
});
