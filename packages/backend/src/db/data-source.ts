import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import { entities } from '../entities';
import { mysqlMigrations } from '../migrations/mysql';
import { sqliteMigrations } from '../migrations/sqlite';

/**
 * One DataSource for either dialect. Same entities, per-dialect migrations, `synchronize` always off:
 * the schema only changes through reviewed migrations (run at start).
 */
export function createDataSource(db: Config['db']): DataSource {
  if (db.type === 'sqlite') {
    return new DataSource({
      type: 'better-sqlite3',
      database: db.path,
      entities,
      migrations: sqliteMigrations,
      migrationsTransactionMode: 'each',
      synchronize: false,
      // WAL lets readers run while one writer commits; NORMAL sync is durable across process crashes.
      prepareDatabase: (sqlite: { pragma(source: string): unknown }) => {
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('synchronous = NORMAL');
        sqlite.pragma('busy_timeout = 5000');
        sqlite.pragma('foreign_keys = ON');
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
