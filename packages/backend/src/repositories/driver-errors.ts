/**
 * Driver error codes are read here and in the repositories only: services see domain outcomes
 * (`DuplicateUserError`, `DuplicateMessageError`, `WriteConflictError`), whatever the dialect.
 */

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A unique index refused the row (MariaDB/MySQL, better-sqlite3 with or without the extended code). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT';
}

/** InnoDB chose this transaction as a deadlock victim: it was rolled back, nothing of it was written. */
export function isDeadlock(error: unknown): boolean {
  return codeOf(error) === 'ER_LOCK_DEADLOCK';
}

/** A write lost to a concurrent one and was rolled back (MariaDB deadlock): retrying it is safe. */
export class WriteConflictError extends Error {
  constructor(cause: unknown) {
    super('the write lost to a concurrent transaction and was rolled back', { cause });
    this.name = 'WriteConflictError';
  }
}
