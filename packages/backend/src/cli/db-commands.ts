import { Redis } from 'ioredis';
import { dialectOf } from '../db/data-source';
import { applyMigrations, schemaDrift } from '../db/migrate';
import { cliConfig, withDb } from './context';

/**
 * `pychat migrate [--check]`: what every start does first, on its own (before starting several instances).
 * `--check` then asks TypeORM's schema builder what it would change to match the entities: exit 1 and print
 * the SQL if anything (CI's "migrations check" suites, `pnpm migrations:check`).
 */
export async function migrate({ check = false }: { check?: boolean } = {}): Promise<number> {
  const config = cliConfig();
  return withDb(config, false, async (ds) => {
    const applied = await applyMigrations(ds);
    for (const name of applied) {
      console.log(`applied ${name}`);
    }
    console.log(applied.length === 0 ? 'the database is up to date' : `${applied.length} migration(s) applied`);
    if (!check) {
      return 0;
    }
    const drift = await schemaDrift(ds);
    if (drift.length > 0) {
      console.error(`entities and ${dialectOf(ds)} migrations disagree; a new migration would run:`);
      for (const query of drift) {
        console.error(`  ${query}`);
      }
      return 1;
    }
    console.log(`${dialectOf(ds)}: entities and migrations agree`);
    return 0;
  });
}

/**
 * `pychat flush-online`: deletes the Redis presence registry (`<prefix>presence:*` hashes and the
 * `<prefix>instances` heartbeat set), e.g. after instances were killed and users still show online.
 * Running instances write their own sockets back at their next heartbeat (5 s); only dead ones stay forgotten.
 */
export async function flushOnline(): Promise<number> {
  const config = cliConfig();
  if (!config.redis) {
    console.log(
      'no Redis configured (PYCHAT_REDIS_URL unset): presence lives in the server process; a restart clears it',
    );
    return 0;
  }
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const prefix = config.redis.prefix;
    const keys: string[] = [`${prefix}instances`];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}presence:*`, 'COUNT', 500);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const deleted = await redis.del(...keys);
    console.log(`deleted ${deleted} presence key(s) under "${prefix}"`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
