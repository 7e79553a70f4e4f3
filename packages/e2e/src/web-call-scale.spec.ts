import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { expectDecodingFrom } from './calls';
import { startInstance, uniqueName, type Instance } from './stack';

/**
 * Inside the browser suite's network namespace these are the MariaDB and Redis that scripts/run-suites.mjs starts
 * there (scripts/services.sh with E2E_SERVICES_STATE): the host's are not reachable from it.
 */
const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://pychat:pychat@127.0.0.1:3307';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6380';

/** Issue 12: a video call between two instances on MariaDB + Redis (signalling crosses the bus; media is P2P). */
describe('a video call across two instances in Chromium', () => {
  const database = `e2e_call_${randomBytes(4).toString('hex')}`;
  let one: Instance;
  let two: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;

  beforeAll(async () => {
    const admin = await createConnection(MYSQL);
    await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    const env = {
      PYCHAT_DB_URL: `${MYSQL.replace(/^mysql:/, 'mariadb:')}/${database}`,
      PYCHAT_REDIS_URL: REDIS,
      PYCHAT_REDIS_PREFIX: `${database}:`,
      PYCHAT_DATA_DIR: '/nonexistent',
    };
    // The first one runs the migrations.
    one = await startInstance({ ...env, PYCHAT_INSTANCE_ID: 'one' });
    two = await startInstance({ ...env, PYCHAT_INSTANCE_ID: 'two' });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    await signUpInBrowser(one.url, alice);
    await signUpInBrowser(two.url, bob);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await one?.kill();
    await two?.kill();
    const admin = await createConnection(MYSQL).catch(() => null);
    await admin?.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin?.end();
  });

  it('alice on instance one calls, bob on instance two answers with video, both decode frames', async () => {
    // Both are in the "all" room; bob's page learned alice is there through the bus.
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await bob.page.getByRole('alertdialog').getByRole('button', { name: 'Answer with video' }).click();
    await expectDecodingFrom(alice.page, 1);
    await expectDecodingFrom(bob.page, 1);
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await alice.page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
  });
});
