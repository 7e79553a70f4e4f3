import { defineConfig } from 'vitest/config';

/** Hand-run measurements (docs/performance.md), not part of `pnpm test`. */
export default defineConfig({ test: { include: ['src/measure-*.ts'], fileParallelism: false } });
