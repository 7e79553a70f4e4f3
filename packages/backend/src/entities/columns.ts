import type { ValueTransformer } from 'typeorm';

/** mysql2 returns BIGINT as string; every bigint we store (ms times, ids) fits a JS number. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
