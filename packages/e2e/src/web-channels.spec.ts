import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/** Issue 11, item 3: a newcomer finds a public channel in the directory and joins it (Chromium, real build). */
describe('the channel directory in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const shots = join(__dirname, '../../../test-results');

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-channels') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    mkdirSync(shots, { recursive: true });
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice creates a public channel with a topic and a private one; bob sees only the public one and joins it', async () => {
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);

    await alice.page.getByRole('link', { name: '+ Channel' }).click();
    await alice.page.getByLabel('Channel name').fill('secret');
    await alice.page.getByRole('button', { name: 'Create channel' }).click();
    await alice.page.waitForURL(/\/chat\/\d+$/);

    await alice.page.getByRole('link', { name: '+ Channel' }).click();
    await alice.page.getByLabel('Channel name').fill('lobby');
    await alice.page.getByLabel('Topic').fill('Say hello to everyone here');
    await alice.page.getByRole('switch', { name: /Public/ }).click();
    await alice.page.getByRole('button', { name: 'Create channel' }).click();
    await alice.page.waitForURL(/\/chat\/\d+$/);
    const lobbyUrl = alice.page.url();

    // The sidebar's link (the welcome card in "all" has one too).
    await bob.page.locator('nav').getByRole('link', { name: 'Browse channels' }).click();
    await bob.page.waitForURL(/\/channels$/);
    const listed = bob.page.getByRole('list', { name: 'Public channels' }).getByRole('listitem');
    await expect.poll(() => listed.count()).toBe(1);
    await expect.poll(() => listed.first().textContent()).toContain('lobby');
    expect(await listed.first().textContent()).toContain('Say hello to everyone here');
    expect(await listed.first().textContent()).toContain('1 member');
    await bob.page.screenshot({ path: join(shots, 'channel-directory.png') });

    await bob.page.getByRole('button', { name: 'Join lobby' }).click();
    await bob.page.waitForURL(/\/chat\/\d+$/);
    expect(bob.page.url()).toBe(lobbyUrl);
    await expect.poll(() => bob.page.locator('main h1.title').textContent()).toContain('lobby');
    await expect
      .poll(() =>
        bob.page
          .getByRole('region', { name: 'Channel lobby' })
          .count()
          .catch(() => 0),
      )
      .toBeGreaterThan(0);
    // Alice, in the room, sees bob arrive in the member count.
    await expect.poll(() => alice.page.locator('main .subtitle').textContent()).toContain('2 members');
  });
});
