import 'reflect-metadata';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { Config } from '../config/config';
import { entities } from '../entities';
import { mysqlMigrations } from '../migrations/mysql';
import { sqliteMigrations } from '../migrations/sqlite';

/**
 * better-sqlite3 is a single connection and TypeORM gives every transaction the same query runner, so a
 * transaction begun while another one awaits fails with "cannot start a transaction within a transaction"
 * (two users sending at the same moment). SQLite has one writer anyway: run transactions one after another.
 */
class SerialTransactionDataSource extends DataSource {
  #tail: Promise<unknown> = Promise.resolve();

  override transaction<T>(run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(isolation: IsolationLevel, run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(...args: [unknown, unknown?]): Promise<T> {
    return this.serial(() => (super.transaction as (...a: unknown[]) => Promise<T>).apply(this, args));
  }

  /**
   * Runs `run` when no transaction is open. A write outside a transaction issued while another one awaits
   * would otherwise land inside it on the single connection, and be rolled back with it.
   */
  serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(run);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Runs a write that needs no transaction (one statement, atomic by itself) outside any transaction:
 * on SQLite behind the open one, on MariaDB on its own pooled connection anyway.
 */
export function outsideTransactions<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  return dataSource instanceof SerialTransactionDataSource ? dataSource.serial(run) : run();
}

/**
 * One DataSource for either dialect. Same entities, per-dialect migrations, `synchronize` always off:
 * the schema only changes through reviewed migrations (run at start).
 */
export function createDataSource(db: Config['db']): DataSource {
  if (db.type === 'sqlite') {
    return new SerialTransactionDataSource({
      type: 'better-sqlite3',
      database: db.path,
      entities,
      migrations: sqliteMigrations,
      migrationsTransactionMode: 'each',
      synchronize: false,
      // WAL lets readers run while one writer commits; NORMAL sync is durable across process crashes.
      prepareDatabase: (sqlite: {
        pragma(source: string): unknown;
        function(name: string, options: { deterministic: boolean }, fn: (value: unknown) => unknown): unknown;
      }) => {
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('synchronous = NORMAL');
        sqlite.pragma('busy_timeout = 5000');
        sqlite.pragma('foreign_keys = ON');
        // SQLite's built-in LOWER only folds ASCII; MariaDB's folds every script. Case-insensitive search
        // (LOWER(content) LIKE …) must find "Привет" for "привет" on both, so LOWER folds like JavaScript.
        sqlite.function('lower', { deterministic: true }, (value) =>
          typeof value === 'string' ? value.toLowerCase() : value,
        );
      },
    });
  }
  return new DataSource({
    type: db.flavor,
    url: db.url,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    entities,
    migrations: mysqlMigrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: 20,
    extra: { connectTimeout: 5000, enableKeepAlive: true },
  });
}

export function dialectOf(dataSource: DataSource): 'sqlite' | 'mysql' {
  return dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
}
