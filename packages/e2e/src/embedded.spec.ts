import { execFile } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ALL_ROOM_ID, CLOSE_CODES } from '@pychat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startInstance, tempDir, uniqueName, TestClient, type Instance } from './stack';

/** The embedded default: `node dist/main.js` with no configuration but a data dir: SQLite, in-process bus. */
describe('embedded mode (SQLite, no Redis)', () => {
  const dataDir = tempDir('embedded');
  let instance: Instance;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await instance.kill();
  });

  it('reports a healthy SQLite + memory-bus server and serves the web page', async () => {
    const health = await api<{ ok: boolean; db: string; bus: string }>(instance, 'GET', '/api/health');
    expect(health.body).toMatchObject({ ok: true, db: 'up', bus: 'memory' });
    const page = await fetch(`${instance.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Pychat</title>');
  });

  it('lets two users chat, keeps history across a restart, and closes sockets with 1001 on SIGTERM', async () => {
    const alice = await signUp(instance, uniqueName('alice'));
    const bob = await signUp(instance, uniqueName('bob'));
    const a = await TestClient.connect(instance, alice.token);
    const b = await TestClient.connect(instance, bob.token);

    const sent = await a.request('message.send', { roomId: ALL_ROOM_ID, content: 'hi Bob 👋', localId: 'e1' });
    const got = await b.waitFor('message.new', (d) => d.message.id === sent.message.id);
    expect(got.message).toMatchObject({ senderId: alice.user.id, content: 'hi Bob 👋' });
    const answer = await b.request('message.send', { roomId: ALL_ROOM_ID, content: 'hi Alice', localId: 'e2' });
    await a.waitFor('message.new', (d) => d.message.id === answer.message.id);

    const code = await instance.stop();
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.closed?.code).toBe(CLOSE_CODES.GOING_AWAY);

    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir });
    const again = await TestClient.connect(instance, bob.token);
    const history = await again.request('message.history', { roomId: ALL_ROOM_ID });
    expect(history.messages.map((m) => m.content)).toEqual(expect.arrayContaining(['hi Bob 👋', 'hi Alice']));
    await again.close();
  });

  it('fails fast with one line per bad variable', async () => {
    await expect(
      startInstance({ PYCHAT_DATA_DIR: dataDir, PYCHAT_WS_MAX_FRAME_BYTES: 'lots', PYCHAT_LOG_LEVEL: 'loud' }),
    ).rejects.toThrow(
      /config: PYCHAT_LOG_LEVEL: .*\n.*config: PYCHAT_WS_MAX_FRAME_BYTES: |config: PYCHAT_WS_MAX_FRAME_BYTES: .*\n.*config: PYCHAT_LOG_LEVEL: /s,
    );
  });
});

/** The operator's CLI as built, with only this data dir (no /etc/pychat/pychat.env). */
const CLI = resolve(__dirname, '../../backend/dist/cli/index.js');
const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

describe('file modes (SQLite data dir)', () => {
  let previousUmask: number;
  let instance: Instance | undefined;

  beforeAll(() => {
    // What a shell usually has, and what `node dist/main.js` and `pychat backup` inherit outside systemd.
    previousUmask = process.umask(0o022);
  });
  afterAll(async () => {
    process.umask(previousUmask);
    await instance?.kill();
  });

  it('creates the data dir 0700, and the database, its WAL and a backup 0600, under umask 022', async () => {
    const dataDir = join(tempDir('modes'), 'data');
    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir });
    await signUp(instance, uniqueName('modes'));

    expect(modeOf(dataDir)).toBe('0700');
    for (const file of ['pychat.sqlite', 'pychat.sqlite-wal', 'pychat.sqlite-shm']) {
      expect({ file, mode: modeOf(join(dataDir, file)) }).toEqual({ file, mode: '0600' });
    }
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'backup'], {
      env: { PATH: process.env.PATH, PYCHAT_ENV_FILE: '/dev/null', PYCHAT_DATA_DIR: dataDir },
    });
    const backup = /^backup written: (\S+) /m.exec(stdout)?.[1];
    expect(backup).toMatch(/\/backups\/pychat-.*\.sqlite$/);
    expect(modeOf(join(dataDir, 'backups'))).toBe('0700');
    expect(modeOf(backup as string)).toBe('0600');
    await instance.kill();
  });

  it('makes an existing data dir and database that others can read private at start, and says so', async () => {
    const dataDir = tempDir('open');
    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir });
    await instance.stop();
    // An install from before this rule, or a data dir made by hand.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'pychat.sqlite'), 0o644);

    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir });

    expect(modeOf(dataDir)).toBe('0700');
    expect(modeOf(join(dataDir, 'pychat.sqlite'))).toBe('0600');
    expect(instance.output.join('')).toContain('made them private');
  });
});
