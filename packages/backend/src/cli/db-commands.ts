import { Redis } from 'ioredis';
import { cliConfig, withDb } from './context';

/** `pychat migrate`: what every start does first, on its own (before starting several instances). */
export async function migrate(): Promise<number> {
  const config = cliConfig();
  await withDb(config, false, async (ds) => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) {
      console.log(`applied ${m.name}`);
    }
    console.log(applied.length === 0 ? 'the database is up to date' : `${applied.length} migration(s) applied`);
  });
  return 0;
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
