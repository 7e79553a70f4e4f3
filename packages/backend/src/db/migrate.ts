import type { DataSource } from 'typeorm';

/**
 * Applies pending migrations, each in its own transaction: the one implementation behind every start
 * (`app.ts`), `pychat migrate` and the CLI commands that open the database. Returns the names applied.
 */
export async function applyMigrations(dataSource: DataSource): Promise<string[]> {
  return (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
}

/** The statements a new migration would run to match the entities: empty when entities and migrations agree. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  return (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((query) => query.query);
}
