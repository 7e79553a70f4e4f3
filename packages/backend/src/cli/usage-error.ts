/** A mistake the operator can fix (bad arguments, missing file, wrong state): printed without a stack. */
export class UsageError extends Error {}
