import type { DataSource, QueryRunner, Logger as TypeOrmLogger } from 'typeorm';

/**
 * Records every statement `dataSource` runs until `stop`: TypeORM hands each one (raw queries, repository calls,
 * BEGIN/COMMIT) to its logger whether logging is on or not, so a logger that counts and forwards sees them all.
 */
export function countStatements(dataSource: DataSource): { statements: string[]; stop: () => void } {
  const original = dataSource.logger;
  const statements: string[] = [];
  const counting: TypeOrmLogger = Object.assign(Object.create(original) as TypeOrmLogger, {
    logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner) {
      statements.push(query);
      original.logQuery(query, parameters, queryRunner);
    },
  });
  Object.defineProperty(dataSource, 'logger', { value: counting, configurable: true, writable: true });
  return {
    statements,
    stop: () => Object.defineProperty(dataSource, 'logger', { value: original, configurable: true, writable: true }),
  };
}
