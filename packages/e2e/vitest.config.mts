import { defineConfig } from 'vitest/config';

const browserOnly = process.env.E2E_BROWSER === '1';
// Specs that need a headed Chromium (an extension's desktop capture) run under xvfb-run (E2E_XVFB=1).
const xvfbOnly = process.env.E2E_XVFB === '1';
/** Measurements (docs/performance.md), run by hand only. */
const measure = process.env.E2E_MEASURE === '1';
const browserSpecs = ['src/browser.spec.ts', 'src/web-*.spec.ts'];
const xvfbSpecs = ['src/xvfb-*.spec.ts'];

export default defineConfig({
  test: {
    // The browser specs run separately inside a private network namespace (scripts/run-suites.mjs).
    include: measure ? ['src/measure-*.ts'] : xvfbOnly ? xvfbSpecs : browserOnly ? browserSpecs : ['src/**/*.spec.ts'],
    exclude: measure || xvfbOnly || browserOnly ? [] : [...browserSpecs, ...xvfbSpecs],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Specs start real server processes; one file at a time keeps CPU and ports sane on 2 cores.
    fileParallelism: false,
  },
});
