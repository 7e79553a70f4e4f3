// Fails the production build when, gzipped, (1) the JavaScript that index.html loads before anything else (the
// initial chunks) or (2) the first chat view's — the initial chunks plus the chunks a chat room needs as long
// as no message has a code block (the "chat" chunk group, with the shared chunks it pulls in) — exceeds the
// budget: calls, media, the painter and highlight.js must stay lazy (docs/performance.md, "Web app at scale").
// Run by `pnpm build` after webpack; reads dist/ (chunk-groups.json is written by webpack.config.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 150 * 1024;
/** The lazy chunk groups the first chat view loads (router: ChatView). */
const CHAT_VIEW_GROUPS = ['chat'];
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<script[^>]*\ssrc="\/?([^"]+\.js)"/g)].map((m) => m[1]);
if (initial.length === 0) {
  console.error('check-bundle-budget: no <script src> in dist/index.html');
  process.exit(1);
}
const groups = JSON.parse(readFileSync(join(dist, 'chunk-groups.json'), 'utf8'));
for (const name of [...CHAT_VIEW_GROUPS, 'highlight']) {
  if (!groups[name]?.length) {
    console.error(`check-bundle-budget: no chunk group "${name}" in dist/chunk-groups.json (webpackChunkName gone?)`);
    process.exit(1);
  }
}

const sizes = new Map();
function gzipped(file) {
  if (!sizes.has(file)) {
    sizes.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  }
  return sizes.get(file);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

let over = false;
function check(label, files) {
  const total = files.reduce((sum, file) => sum + gzipped(file), 0);
  for (const file of files) {
    console.log(`  ${file}: ${kb(gzipped(file))} gzipped`);
  }
  const within = total <= BUDGET_BYTES;
  over ||= !within;
  console.log(`${label} ${kb(total)} gzipped, ${within ? 'within' : 'OVER'} the ${BUDGET_BYTES / 1024} KB budget`);
}

check('initial JS', initial);
const chatView = [...new Set([...initial, ...CHAT_VIEW_GROUPS.flatMap((name) => groups[name])])];
check('first chat view JS (no code blocks)', chatView);
const highlight = groups.highlight.filter((file) => !chatView.includes(file));
console.log(
  `highlight.js, loaded on the first code block: ${kb(highlight.reduce((s, f) => s + gzipped(f), 0))} gzipped`,
);
process.exit(over ? 1 : 0);
