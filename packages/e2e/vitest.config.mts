import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Specs start real server processes on fixed databases; one file at a time keeps ports and CPU sane.
    fileParallelism: false,
  },
});
