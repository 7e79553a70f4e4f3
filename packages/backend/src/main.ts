import 'reflect-metadata';
import { startPychat } from './app';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './logger';
import { restrictUmask } from './private-files';

async function main(): Promise<void> {
  // Before anything is created: the database, its WAL, backups and keys are for this user only.
  restrictUmask();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) {
        console.error(`config: ${problem}`);
      }
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, config.instanceId);
  const pychat = await startPychat(config, logger);
  logger.info(
    { db: config.db.type, bus: config.redis ? 'redis' : 'memory', port: pychat.port },
    `Pychat is running at ${pychat.url}`,
  );
  // Plain line for humans starting it by hand (the log line above is JSON).
  console.log(`Pychat is running at ${pychat.url}`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    pychat.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Pychat failed to start:', error);
  process.exit(1);
});
