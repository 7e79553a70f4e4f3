// Runs every suite, one after the other, and totals them. Checks (lint, format, typecheck, migrations)
// count as one test each; vitest suites count their tests. The last line is `N passed, N failed[, N skipped]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'pychat-suites-'));
const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
const dbPort = new URL(mysqlUrl).port;
const results = [];

function run(name, command, { cwd = '.', env = {}, vitest = false } = {}) {
  const started = Date.now();
  const json = join(tmp, `${results.length}.json`);
  const args = vitest ? `${command} --reporter=default --reporter=json --outputFile=${json}` : command;
  console.log(`\n━━ ${name} ━━ ${args}`);
  const child = spawnSync('bash', ['-c', args], { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (vitest) {
    try {
      const report = JSON.parse(readFileSync(json, 'utf8'));
      passed = report.numPassedTests;
      failed = report.numFailedTests;
      skipped = report.numPendingTests + report.numTodoTests;
      // A crash outside any test (import error, hook failure) still fails the suite.
      if (child.status !== 0 && failed === 0) {
        failed = 1;
      }
    } catch {
      failed = 1;
    }
  } else if (child.status === 0) {
    passed = 1;
  } else {
    failed = 1;
  }
  results.push({ name, passed, failed, skipped, seconds });
}

function mysql(sql) {
  return `mariadb -h127.0.0.1 -P${dbPort} -upychat -ppychat -e "${sql}"`;
}

run('format', 'pnpm run format');
run('lint', 'pnpm -r run lint');
run('typecheck', 'pnpm -r run typecheck');
run('migrations check (sqlite)', 'node packages/backend/dist/cli/index.js migrate --check', {
  env: { PYCHAT_DB_URL: `sqlite:${join(tmp, 'migrations.sqlite')}`, PYCHAT_DATA_DIR: tmp },
});
run(
  'migrations check (mariadb)',
  `${mysql('CREATE DATABASE migcheck')} && node packages/backend/dist/cli/index.js migrate --check`,
  {
    env: { PYCHAT_DB_URL: `${mysqlUrl.replace(/^mysql:/, 'mariadb:')}/migcheck`, PYCHAT_DATA_DIR: tmp },
  },
);
run('protocol unit', 'npx vitest run', { cwd: 'packages/protocol', vitest: true });
run('backend unit', 'npx vitest run --project unit', { cwd: 'packages/backend', vitest: true });
run('testkit unit (protocol client)', 'npx vitest run', { cwd: 'packages/testkit', vitest: true });
run('screen_cast_extension unit (handshake, build)', 'npx vitest run', { cwd: 'screen_cast_extension', vitest: true });
run('frontend unit (store, event router, outbox, safe rendering)', 'npx vitest run', {
  cwd: 'packages/frontend',
  vitest: true,
});
run('backend medium (sqlite, memory bus)', 'npx vitest run --project medium', {
  cwd: 'packages/backend',
  vitest: true,
  env: { TEST_DB: 'sqlite' },
});
run('backend medium (mariadb, redis bus)', 'npx vitest run --project medium', {
  cwd: 'packages/backend',
  vitest: true,
  env: { TEST_DB: 'mysql' },
});
// Starts Pychat (SQLite), both baselines and a private Redis on loopback; a few clients for a few seconds.
run('bench smoke', 'npx vitest run', { cwd: 'packages/bench', vitest: true });
// Ops (docs/deploy.md): backups, the native install's files, the container image. Caches (debootstrapped
// roots, the stand-in base image, build layers) live in /var/cache/pychat-ci between runs.
run('ops: backup → wipe → restore (sqlite)', 'bash scripts/ci/backup.sh sqlite', { env: { TEST_MYSQL_URL: mysqlUrl } });
run('ops: backup → wipe → restore (mariadb)', 'bash scripts/ci/backup.sh mariadb', {
  env: { TEST_MYSQL_URL: mysqlUrl },
});
run('ops: rootfs/ (nginx -t, systemd-analyze verify)', 'bash scripts/ci/rootfs.sh');
run('ops: docker image (podman build, run, HTTPS chat, restart)', 'bash scripts/ci/image.sh');
run("quick start (README's start command on a clean data dir)", 'bash scripts/ci/quickstart.sh');
run('e2e (built server: embedded, two-instance scale-out)', 'npx vitest run', { cwd: 'packages/e2e', vitest: true });
// Chromium runs in a network namespace with only loopback, so nothing it does can leave the machine. The host's
// MariaDB and Redis are out of its reach: a private pair starts inside on the same ports (the two-instance call).
run(
  'e2e browser (chromium, private loopback)',
  'unshare -n sh -c \'ip link set lo up && STATE="$E2E_SERVICES_STATE" bash ../../scripts/services.sh start >/dev/null' +
    ' && { npx vitest run "$@"; rc=$?; STATE="$E2E_SERVICES_STATE" bash ../../scripts/services.sh stop; exit $rc; }\' sh',
  {
    cwd: 'packages/e2e',
    vitest: true,
    env: { E2E_BROWSER: '1', E2E_SERVICES_STATE: join(tmp, 'browser-services') },
  },
);

// The extension's desktop capture needs a headed Chromium: an X server of its own (xvfb-run), still in the namespace.
run(
  'e2e extension (chromium under Xvfb, private loopback)',
  'unshare -n sh -c \'ip link set lo up && exec xvfb-run -a -s "-screen 0 1280x720x24" npx vitest run "$@"\' sh',
  {
    cwd: 'packages/e2e',
    vitest: true,
    env: { E2E_XVFB: '1' },
  },
);

rmSync(tmp, { recursive: true, force: true });
const total = results.reduce(
  (sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('\nsuite'.padEnd(56) + 'passed  failed  skipped  seconds');
for (const r of results) {
  console.log(
    `${r.failed > 0 ? '✗' : '✓'} ${r.name}`.padEnd(55) +
      `${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}  ${String(r.seconds).padStart(7)}`,
  );
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
