import { spawn } from 'node:child_process';
import {
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Config } from '../config/config';
import { cliConfig } from './context';
import { localUrl, probe } from './healthcheck';
import { UsageError } from './usage-error';

function stamp(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
}

function defaultFile(config: Config, extension: string, label = 'pychat'): string {
  return join(config.dataDir, 'backups', `${label}-${stamp()}${extension}`);
}

/** Users and messages in a SQLite file, checked with quick_check first. Throws in plain words. */
function describeSqlite(path: string): { users: number; messages: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new UsageError(`${path} is damaged (quick_check: ${String(check)})`);
    }
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'messages')`)
      .all();
    if (tables.length < 2) {
      throw new UsageError(`${path} is not a Pychat database (no users/messages tables)`);
    }
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { users: count('users'), messages: count('messages') };
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new UsageError(`${path} is not an SQLite database`);
    }
    throw error;
  } finally {
    db.close();
  }
}

/** SQLite's online backup API: a consistent copy while the server keeps writing (WAL readers do not block). */
async function sqliteCopy(from: string, to: string, { singleFile }: { singleFile: boolean }): Promise<void> {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(to);
  } finally {
    db.close();
  }
  if (singleFile) {
    // The copy inherits WAL mode; a backup should be one self-contained file (no -wal/-shm beside it).
    const copy = new Database(to);
    copy.pragma('journal_mode = DELETE');
    copy.close();
  }
}

interface MysqlTarget {
  host: string;
  port: string;
  user: string;
  password: string;
  database: string;
}

function mysqlTarget(url: string): MysqlTarget {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) {
    throw new UsageError('PYCHAT_DB_URL names no database (expected mariadb://user:pass@host:port/db)');
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port || '3306',
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}

/** The first of the given programs on PATH. */
function findProgram(names: string[]): string {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
      const path = join(dir, name);
      if (existsSync(path)) {
        return path;
      }
    }
  }
  throw new UsageError(
    `${names.join(' or ')} not found: install the MariaDB client (Debian: apt-get install mariadb-client), ` +
      'or run it where the database runs (docker compose: see docs/deploy.md, "Backups")',
  );
}

function clientArgs(t: MysqlTarget): string[] {
  return [`--host=${t.host}`, `--port=${t.port}`, `--user=${t.user}`, '--default-character-set=utf8mb4'];
}

/** Runs a MariaDB client program; the password goes through MYSQL_PWD, never the command line. */
function runClient(
  program: string,
  args: string[],
  t: MysqlTarget,
  io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream },
): Promise<void> {
  const child = spawn(program, args, {
    env: { ...process.env, MYSQL_PWD: t.password },
    stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const streams: Promise<void>[] = [];
  if (io.stdin && child.stdin) {
    streams.push(pipeline(io.stdin, child.stdin));
  }
  if (io.stdout && child.stdout) {
    streams.push(pipeline(child.stdout, io.stdout));
  }
  const exited = new Promise<void>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? ok() : fail(new UsageError(`${program} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
  return Promise.all([exited, ...streams]).then(() => undefined);
}

/** The uploads of a backup `file` are kept in the directory `<file>.uploads` beside it. */
export function uploadsBackupDir(file: string): string {
  return `${file}.uploads`;
}

/**
 * Copies the files of `from` missing in `to` (uploads are never changed in place, so a file of the same name is
 * the same file), 0600 in a 0700 directory. Returns how many were copied, and their bytes.
 */
async function copyMissing(from: string, to: string): Promise<{ files: number; bytes: number }> {
  if (!existsSync(from)) {
    return { files: 0, bytes: 0 };
  }
  mkdirSync(to, { recursive: true, mode: 0o700 });
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const target = join(to, entry.name);
    if (!entry.isFile() || existsSync(target)) {
      continue;
    }
    // Copied under a temporary name first: an interrupted copy never looks like a complete file.
    await copyFile(join(from, entry.name), `${target}.partial`, constants.COPYFILE_FICLONE);
    renameSync(`${target}.partial`, target);
    files += 1;
    bytes += statSync(target).size;
  }
  return { files, bytes };
}

/**
 * After the database: every file a row of the snapshot names already exists then (files are written before
 * their row), and one deleted meanwhile is only missing if its message was deleted too. Files uploaded after the
 * snapshot come along and are collected after a restore (no row names them).
 */
async function backupUploads(config: Config, target: string): Promise<void> {
  const copied = await copyMissing(config.uploads.dir, uploadsBackupDir(target));
  console.log(`uploads copied: ${uploadsBackupDir(target)} (${copied.files} files, ${copied.bytes} bytes)`);
}

/** `pychat backup [file]`: prints the file written. A name ending in .gz is gzipped (MariaDB dumps). */
export async function backup(file: string | undefined): Promise<number> {
  const config = cliConfig();
  if (config.db.type === 'sqlite') {
    if (config.db.path === ':memory:') {
      throw new UsageError('PYCHAT_DB_URL is sqlite::memory:; there is nothing on disk to back up');
    }
    if (!existsSync(config.db.path)) {
      throw new UsageError(`no database at ${config.db.path} yet (has Pychat started once with this data dir?)`);
    }
    const target = resolve(file ?? defaultFile(config, '.sqlite'));
    await sqliteCopy(config.db.path, target, { singleFile: true });
    const { users, messages } = describeSqlite(target);
    console.log(`backup written: ${target} (${users} users, ${messages} messages, ${statSync(target).size} bytes)`);
    await backupUploads(config, target);
    return 0;
  }
  const t = mysqlTarget(config.db.url);
  const dump = findProgram(['mariadb-dump', 'mysqldump']);
  const target = resolve(file ?? defaultFile(config, '.sql.gz'));
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial`;
  const out = createWriteStream(partial, { mode: 0o600 });
  try {
    // --single-transaction: a consistent snapshot of InnoDB tables without locking the running servers.
    const args = [
      ...clientArgs(t),
      '--single-transaction',
      '--quick',
      '--routines',
      '--triggers',
      '--no-tablespaces',
      t.database,
    ];
    if (target.endsWith('.gz')) {
      const gzip = createGzip();
      await Promise.all([runClient(dump, args, t, { stdout: gzip }), pipeline(gzip, out)]);
    } else {
      await runClient(dump, args, t, { stdout: out });
    }
    renameSync(partial, target);
  } catch (error) {
    out.destroy();
    if (existsSync(partial)) {
      unlinkSync(partial);
    }
    throw error;
  }
  console.log(
    `backup written: ${target} (database ${t.database} on ${t.host}:${t.port}, ${statSync(target).size} bytes)`,
  );
  await backupUploads(config, target);
  return 0;
}

/** Refuses while a Pychat answers on the configured port: restoring under a running server loses data. */
async function requireStopped(config: Config, force: boolean): Promise<void> {
  if (force) {
    return;
  }
  const url = localUrl(config, '/api/health/live');
  const running = await probe(url, 1500).then(
    () => true,
    () => false,
  );
  if (running) {
    throw new UsageError(
      `Pychat is running (${url} answers): stop it first (docker stop …, systemctl stop pychat), ` +
        'then restore; --force skips this check',
    );
  }
}

/** Puts the uploads of a backup back (those missing in the upload dir); a backup without uploads is fine. */
async function restoreUploads(config: Config, source: string): Promise<void> {
  const copied = await copyMissing(uploadsBackupDir(source), config.uploads.dir);
  console.log(`uploads restored into ${config.uploads.dir} (${copied.files} files, ${copied.bytes} bytes)`);
}

/**
 * `pychat restore FILE [--force]`: the database, then the uploads in `FILE.uploads/`. SQLite: the current
 * database is kept as a backup first.
 */
export async function restore(file: string | undefined, options: { force: boolean }): Promise<number> {
  if (!file) {
    throw new UsageError('restore needs the backup file');
  }
  const source = resolve(file);
  if (!existsSync(source)) {
    throw new UsageError(`no such file: ${source}`);
  }
  const config = cliConfig();
  await requireStopped(config, options.force);
  if (config.db.type === 'sqlite') {
    if (config.db.path === ':memory:') {
      throw new UsageError('PYCHAT_DB_URL is sqlite::memory:; there is nothing on disk to restore into');
    }
    const { users, messages } = describeSqlite(source);
    if (existsSync(config.db.path)) {
      const previous = defaultFile(config, '.sqlite', 'pychat-before-restore');
      await sqliteCopy(config.db.path, previous, { singleFile: true });
      console.log(`the current database was saved as ${previous}`);
    }
    // Through the backup API rather than a file copy: SQLite replaces every page and deals with a WAL
    // left behind by a crash, which a plain copy would wrongly replay over the restored file.
    await sqliteCopy(source, config.db.path, { singleFile: false });
    describeSqlite(config.db.path);
    console.log(`restored ${source} into ${config.db.path} (${users} users, ${messages} messages)`);
    await restoreUploads(config, source);
    return 0;
  }
  const t = mysqlTarget(config.db.url);
  const client = findProgram(['mariadb', 'mysql']);
  const name = t.database.replace(/`/g, '``');
  await runClient(
    client,
    [
      ...clientArgs(t),
      '-e',
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    ],
    t,
    {},
  );
  const input = createReadStream(source);
  await runClient(client, [...clientArgs(t), t.database], t, {
    stdin: source.endsWith('.gz') ? input.pipe(createGunzip()) : input,
  });
  console.log(`restored ${source} into database ${t.database} on ${t.host}:${t.port}`);
  await restoreUploads(config, source);
  return 0;
}
