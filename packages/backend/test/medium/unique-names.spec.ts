import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ROOM_ID, AuthResponse, type ErrorBody } from '@pychat/protocol';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config/config';
import { createDataSource } from '../../src/db/data-source';
import { entities } from '../../src/entities';
import { mysqlMigrations } from '../../src/migrations/mysql';
import { CaseInsensitiveNames1795660000000 as MysqlCaseInsensitiveNames } from '../../src/migrations/mysql/1795660000000-CaseInsensitiveNames';
import { sqliteMigrations } from '../../src/migrations/sqlite';
import { CaseInsensitiveNames1795660000000 as SqliteCaseInsensitiveNames } from '../../src/migrations/sqlite/1795660000000-CaseInsensitiveNames';
import { DuplicateUserError, UserRepository } from '../../src/repositories/user.repository';
import { PasswordHasher } from '../../src/services/password';
import { TEST_SCRYPT } from '../service';
import { api, createBackend, dialect, startServer, uniqueName, type SharedBackend, type TestServer } from './harness';

const PASSWORD = 'secret-pw';

/**
 * Holds every sign-up's password hash until `size` of them wait, then releases them together. Sign-up hashes
 * after its availability checks and before its insert, so every check sees no user and every insert races:
 * only the unique index can refuse the losers. Without it the race depends on timing.
 */
class BarrierHasher extends PasswordHasher {
  #size = 0;
  readonly #waiting: (() => void)[] = [];

  expect(size: number): void {
    this.#size = size;
  }

  override async hash(password: string): Promise<string> {
    if (this.#size > 0) {
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        if (this.#waiting.length === this.#size) {
          this.#size = 0;
          for (const release of this.#waiting.splice(0)) {
            release();
          }
        }
      });
    }
    return super.hash(password);
  }
}

/** The same name in three cases, as three clients would type it at the same moment. */
function casings(name: string): string[] {
  const mixed = name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
  return [mixed, name.toLowerCase(), name.toUpperCase()];
}

/** Fires every sign-up at once; none of them inserts before all have checked availability. */
function signUpAll(server: TestServer, bodies: Record<string, string>[]) {
  hasher.expect(bodies.length);
  return Promise.all(bodies.map((body) => api<AuthResponse | ErrorBody>(server, 'POST', '/api/auth/sign-up', body)));
}

async function usersNamed(server: TestServer, column: 'username' | 'email', value: string): Promise<number> {
  const rows = (await server.pychat.dataSource.query(`SELECT COUNT(*) AS n FROM users WHERE LOWER(${column}) = ?`, [
    value.toLowerCase(),
  ])) as { n: number | string }[];
  return Number(rows[0]?.n);
}

const hasher = new BarrierHasher(TEST_SCRYPT);

// Own setup, not useTestServer(): the server hashes with the barrier hasher, which makes the sign-ups race.
describe('case-insensitive uniqueness under concurrent sign-ups', () => {
  let backend: SharedBackend;
  const t = {} as { server: TestServer };

  beforeAll(async () => {
    backend = await createBackend();
    t.server = await startServer(backend, {}, { passwordHasher: hasher });
  });
  afterAll(async () => {
    await t.server.stop();
    await backend.drop();
  });

  it('lets exactly one of "Name", "name" and "NAME" sign up; the others get 409 USERNAME_TAKEN', async () => {
    const name = uniqueName('race');
    const results = await signUpAll(
      t.server,
      casings(name).map((username, i) => ({ username, password: `${PASSWORD}-${i}` })),
    );

    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const lost of results.filter((r) => r.status !== 201)) {
      expect(lost.body).toMatchObject({ code: 'USERNAME_TAKEN' });
    }
    expect(await usersNamed(t.server, 'username', name)).toBe(1);

    // The winner signs in with the name in a case nobody typed; the losers' passwords open nothing.
    const winner = results.findIndex((r) => r.status === 201);
    const login = name.toLowerCase() === casings(name)[winner] ? name.toUpperCase() : name.toLowerCase();
    const signIn = await api<AuthResponse>(t.server, 'POST', '/api/auth/sign-in', {
      login,
      password: `${PASSWORD}-${winner}`,
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user.id).toBe((results[winner]?.body as AuthResponse).user.id);
    const loser = (winner + 1) % 3;
    const wrong = await api(t.server, 'POST', '/api/auth/sign-in', { login, password: `${PASSWORD}-${loser}` });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
  });

  it('lets exactly one of three emails differing only in case sign up; the others get 409 EMAIL_TAKEN', async () => {
    const email = `${uniqueName('Mail')}@Example.org`;
    const emails = [email, email.toLowerCase(), email.toUpperCase()];
    const results = await signUpAll(
      t.server,
      emails.map((e) => ({ username: uniqueName('m'), password: PASSWORD, email: e })),
    );

    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const lost of results.filter((r) => r.status !== 201)) {
      expect(lost.body).toMatchObject({ code: 'EMAIL_TAKEN' });
    }
    expect(await usersNamed(t.server, 'email', email)).toBe(1);

    const winner = results.find((r) => r.status === 201)?.body as AuthResponse;
    for (const login of emails) {
      const res = await api<AuthResponse>(t.server, 'POST', '/api/auth/sign-in', { login, password: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(winner.user.id);
    }
  });
});

function before<T>(migrations: T[], migration: T): T[] {
  return migrations.slice(0, migrations.indexOf(migration));
}

/**
 * A database at the schema before CaseInsensitiveNames: SQLite with its case-sensitive indexes, or MariaDB
 * created case-sensitive (utf8mb4_bin), the one MariaDB setup where names could collide in another case.
 */
async function databaseBeforeMigration(): Promise<{ db: Config['db']; old: DataSource; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'pychat-unique-'));
    const path = join(dir, 'pychat.sqlite');
    const old = new DataSource({
      type: 'better-sqlite3',
      database: path,
      entities,
      migrations: before(sqliteMigrations, SqliteCaseInsensitiveNames),
    });
    return { db: { type: 'sqlite', path }, old, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
  const name = `t_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection(base);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  const url = `${base}/${name}`;
  const old = new DataSource({
    type: 'mariadb',
    url,
    entities,
    migrations: before(mysqlMigrations, MysqlCaseInsensitiveNames),
  });
  return {
    db: { type: 'mysql', flavor: 'mariadb', url },
    old,
    drop: async () => {
      const conn = await createConnection(base);
      await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      await conn.end();
    },
  };
}

describe('migration CaseInsensitiveNames on a database where names already collide in another case', () => {
  it('keeps the oldest account, renames the later ones, drops their colliding emails; the index then holds', async () => {
    const { db, old, drop } = await databaseBeforeMigration();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const migrated = createDataSource(db);
    try {
      await old.initialize();
      await old.runMigrations({ transaction: 'each' });
      const rows: [number, string, string | null][] = [
        [1, 'Bob', 'bob@x.org'],
        [2, 'bob', 'BOB@x.org'],
        [3, 'BOB', null],
        [4, 'bob-2', null],
        [5, 'LongName16chars_', null],
        [6, 'longname16chars_', null],
        [7, 'alice', 'Bob@X.org'],
      ];
      for (const [id, username, email] of rows) {
        await old.query('INSERT INTO users (id, username, email, email_verified, created_at) VALUES (?, ?, ?, ?, ?)', [
          id,
          username,
          email,
          email === null ? 0 : 1,
          1,
        ]);
      }
      await old.destroy();

      await migrated.initialize();
      await migrated.runMigrations({ transaction: 'each' });

      const after = (await migrated.query(
        'SELECT id, username, email, email_verified AS verified, updated_at AS updatedAt FROM users ORDER BY id',
      )) as { id: number; username: string; email: string | null; verified: number; updatedAt: number | string }[];
      expect(after.map((u) => [u.id, u.username, u.email])).toEqual([
        [1, 'Bob', 'bob@x.org'],
        [2, 'bob-3', null],
        [3, 'BOB-4', null],
        [4, 'bob-2', null],
        [5, 'LongName16chars_', null],
        [6, 'longname16char-2', null],
        [7, 'alice', null],
      ]);
      expect(after.filter((u) => Number(u.verified) === 1).map((u) => u.id)).toEqual([1]);
      // Renamed users reach clients through the directory sync, which asks for rows changed since last time.
      expect(after.filter((u) => Number(u.updatedAt) > 1).map((u) => u.id)).toEqual([2, 3, 6]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        'user 2: username "bob" taken in another case, renamed to "bob-3"',
        'user 3: username "BOB" taken in another case, renamed to "BOB-4"',
        'user 6: username "longname16chars_" taken in another case, renamed to "longname16char-2"',
        'user 2: email "BOB@x.org" used by an older account in another case, removed',
        'user 7: email "Bob@X.org" used by an older account in another case, removed',
      ]);

      const users = new UserRepository(migrated);
      const add = (username: string, email: string | null) =>
        users.createWithRoom({ username, email, passwordHash: null, sex: 'secret' }, ALL_ROOM_ID, 2);
      await expect(add('BOB-3', null)).rejects.toEqual(new DuplicateUserError('username'));
      await expect(add('carol', 'BOB@X.ORG')).rejects.toEqual(new DuplicateUserError('email'));
      expect((await users.findByUsername('bOB-3'))?.id).toBe(2);
      expect((await users.findByEmail('BOB@X.ORG'))?.id).toBe(1);
    } finally {
      warn.mockRestore();
      for (const ds of [old, migrated]) {
        if (ds.isInitialized) {
          await ds.destroy();
        }
      }
      await drop();
    }
  });
});
