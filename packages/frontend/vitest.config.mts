import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  // As in webpack.config.js: markdown-it gets the small entity decoder the app ships.
  resolve: {
    alias: [{ find: /^entities$/, replacement: fileURLToPath(new URL('src/utils/entities-lite.ts', import.meta.url)) }],
  },
  define: { __APP_VERSION__: JSON.stringify('test') },
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'jsdom',
    // Through vite, so that the alias above reaches markdown-it's import.
    server: { deps: { inline: ['markdown-it'] } },
  },
});
