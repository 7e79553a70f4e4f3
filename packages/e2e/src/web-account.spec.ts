import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/** Issue 15: the profile page in Chromium (real build). */
describe('the profile in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-profile') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice edits her profile and bob, on her read-only profile page, sees it change without reloading', async () => {
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
    const aliceId = await alice.page.evaluate(async () => {
      const res = await fetch('/api/auth/session');
      return ((await res.json()) as { user: { id: number } }).user.id;
    });

    await bob.page.goto(`${instance.url}/user/${aliceId}`);
    const bobCard = bob.page.locator('.user-profile-card');
    await expect.poll(() => bobCard.textContent()).toContain('not set');
    // Someone else's profile has no form.
    expect(await bob.page.getByRole('button', { name: 'Save profile' }).count()).toBe(0);

    await alice.page.goto(`${instance.url}/profile`);
    const renamed = uniqueName('ally');
    await alice.page.getByLabel('Username').fill(renamed);
    await alice.page.getByLabel('First name').fill('Alice');
    await alice.page.getByLabel('City').fill('Wonderland');
    await alice.page.getByLabel('Gender').selectOption('female');
    await alice.page.getByLabel('Birthday').fill('1990-05-04');
    await alice.page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => alice.page.locator('.user-profile-form .saved').textContent()).toContain('Saved');
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-edit.png'), fullPage: true });

    await expect.poll(() => bobCard.textContent()).toContain('Wonderland');
    const text = await bobCard.textContent();
    expect(text).toContain('Alice');
    expect(text).toContain('Female');
    expect(await bob.page.locator('.user-profile-card h2').textContent()).toBe(renamed);
    await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-seen-by-other.png'), fullPage: true });

    // A name someone has: refused with the server's words, nothing changed.
    await alice.page.getByLabel('Username').fill(bob.name);
    await alice.page.getByRole('button', { name: 'Save profile' }).click();
    await expect
      .poll(() => alice.page.locator('.user-profile-form .app-form-error').textContent())
      .toContain('already taken');
  });
});
