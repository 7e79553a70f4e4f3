import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliConfig, withDb } from './context';
import { migrate } from './db-commands';

/** `pychat migrate [--check]` against a throwaway SQLite file, as CI's "migrations check" suites run it. */
describe('pychat migrate', () => {
  let out: string[];
  let err: string[];

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'pychat-migrate-'));
    vi.stubEnv('PYCHAT_DATA_DIR', dir);
    vi.stubEnv('PYCHAT_DB_URL', `sqlite:${join(dir, 'pychat.sqlite')}`);
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line));
    // Lines of its own ("pychat: … made it private") are not the check's.
    vi.spyOn(console, 'error').mockImplementation((line: string) => !line.startsWith('pychat: ') && err.push(line));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('applies pending migrations once, then finds the database up to date', async () => {
    expect(await migrate()).toBe(0);
    expect(out.filter((line) => line.startsWith('applied ')).length).toBeGreaterThan(0);
    out = [];
    expect(await migrate({ check: true })).toBe(0);
    expect(out).toEqual(['the database is up to date', 'sqlite: entities and migrations agree']);
  });

  it('--check fails and prints the SQL when the schema and the entities disagree', async () => {
    expect(await migrate()).toBe(0);
    await withDb(cliConfig(), false, (ds) => ds.query('DROP INDEX uq_messages_sender_local'));

    expect(await migrate({ check: true })).toBe(1);
    expect(err[0]).toBe('entities and sqlite migrations disagree; a new migration would run:');
    expect(err.join('\n')).toMatch(/CREATE UNIQUE INDEX "uq_messages_sender_local"/);
    expect(await migrate()).toBe(0); // without --check drift is not its business
  });
});
