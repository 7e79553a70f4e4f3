import { defineConfig } from 'vitest/config';

const browserOnly = process.env.E2E_BROWSER === '1';
/** Measurements (docs/performance.md), run by hand only. */
const measure = process.env.E2E_MEASURE === '1';

export default defineConfig({
  test: {
    // The browser spec runs separately inside a private network namespace (scripts/test.sh).
    include: measure
      ? ['src/measure-*.ts']
      : browserOnly
        ? ['src/browser.spec.ts', 'src/web-*.spec.ts']
        : ['src/**/*.spec.ts'],
    exclude: browserOnly ? [] : ['src/browser.spec.ts', 'src/web-*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Specs start real server processes; one file at a time keeps CPU and ports sane on 2 cores.
    fileParallelism: false,
  },
});
