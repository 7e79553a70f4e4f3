import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, createBackend, dialect, startServer, type SharedBackend, type TestServer } from './harness';

interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string };
}

const WARN = 40;
const INFO = 30;

// Own setup, not useTestServer(): the server logs into `logs`, and its hourly sweep runs on fake intervals.
describe(`background failures are logged, not swallowed (${dialect})`, () => {
  let backend: SharedBackend;
  let server: TestServer;
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });

  beforeAll(async () => {
    // Only intervals: the hourly session sweep is one; everything else keeps real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    backend = await createBackend();
    server = await startServer(backend, {}, { logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await server?.stop();
    vi.useRealTimers();
    await backend?.drop();
  });

  it('warns once with the error when the hourly expired-session sweep fails', async () => {
    const db = server.pychat.dataSource;
    await db.query('ALTER TABLE sessions RENAME TO sessions_away');
    try {
      vi.advanceTimersByTime(3_600_000);
      await expect
        .poll(() => logs.filter((l) => l.level === WARN && l.msg?.includes('expired-session sweep failed')))
        .toEqual([expect.objectContaining({ err: expect.objectContaining({ message: expect.any(String) }) })]);
    } finally {
      await db.query('ALTER TABLE sessions_away RENAME TO sessions');
    }
  });

  it('warns once per database outage seen by the health probe, with the error, and says when it is over', async () => {
    const probe = vi.spyOn(server.pychat.dataSource, 'query').mockRejectedValue(new Error('database went away'));
    try {
      for (let i = 0; i < 3; i++) {
        expect((await api(server, 'GET', '/api/health')).body).toMatchObject({ ok: false, db: 'down' });
      }
    } finally {
      probe.mockRestore();
    }
    expect((await api(server, 'GET', '/api/health')).body).toMatchObject({ ok: true, db: 'up' });
    const health = logs.filter((l) => l.msg?.startsWith('health:'));
    expect(health).toEqual([
      expect.objectContaining({ level: WARN, err: expect.objectContaining({ message: 'database went away' }) }),
      expect.objectContaining({ level: INFO, msg: 'health: the database answers again' }),
    ]);
  });
});
