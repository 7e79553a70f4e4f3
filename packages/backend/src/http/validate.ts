import { describeIssues } from '@pychat/protocol';
import type { z } from 'zod';
import { AppError } from '../errors';

/** Parses a body or query against its protocol schema; VALIDATION_FAILED lists the bad fields. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'Invalid request', describeIssues(parsed.error));
  }
  return parsed.data;
}
