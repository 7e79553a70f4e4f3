// `node dist/migrations/cli.js run|check`: apply pending migrations, or prove entities and migrations agree.
import { loadConfig } from '../config/config';
import { createDataSource, dialectOf } from '../db/data-source';

async function main(command: string | undefined): Promise<number> {
  const dataSource = createDataSource(loadConfig().db);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) {
      console.log(`applied ${migration.name}`);
    }
    if (command === 'run') {
      return 0;
    }
    if (command === 'check') {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      if (pending.upQueries.length > 0) {
        console.error(`entities and ${dialectOf(dataSource)} migrations disagree; a new migration would run:`);
        for (const query of pending.upQueries) {
          console.error(`  ${query.query}`);
        }
        return 1;
      }
      console.log(`${dialectOf(dataSource)}: entities and migrations agree`);
      return 0;
    }
    console.error('usage: cli.js run|check   (generate: pnpm migrations:generate <dialect> <Name>)');
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
