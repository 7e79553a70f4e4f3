import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchSharedBrowser, newBrowserUser, SCREENSHOT_DIR, screenshotsOnFailure, type BrowserUser } from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

const CLI = resolve(__dirname, '../../backend/dist/cli/index.js');
const ADMIN_PASSWORD = 'admin-browser-pw';

/** Follows an invite link and signs up through the form, solving the ALTCHA captcha as a person would. */
async function signUpWithInvite(link: string, who: BrowserUser): Promise<void> {
  await who.page.goto(link);
  await expect.poll(() => who.page.locator('.invited').count()).toBe(1);
  await who.page.getByLabel('Username').fill(who.name);
  await who.page.getByLabel('Password', { exact: true }).fill('browser-pw');
  await who.page.getByLabel('Repeat password').fill('browser-pw');
  // The widget loads lazily (its own chunk); its checkbox starts the proof of work.
  await who.page.locator('altcha-widget input[type="checkbox"]').click({ force: true });
  await expect
    .poll(() => who.page.locator('altcha-widget [data-state]').getAttribute('data-state'), { timeout: 30_000 })
    .toBe('verified');
  await who.page.getByRole('button', { name: 'Create account' }).click();
  await who.page.waitForURL(/\/chat\/1$/);
}

/** Issue 15, who may join: the admin page, invite links and ALTCHA in Chromium (real build). */
describe('site admin, invites and captcha in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let admin: BrowserUser;
  let carol: BrowserUser;
  let bob: BrowserUser;
  const adminName = uniqueName('boss');

  beforeAll(async () => {
    const dataDir = tempDir('web-admin');
    // The first admin comes from the operator, as on a real install.
    execFileSync(process.execPath, [CLI, 'create-user', adminName, '--admin', '--password-stdin'], {
      env: { PATH: process.env.PATH, PYCHAT_DATA_DIR: dataDir },
      input: `${ADMIN_PASSWORD}\n`,
    });
    instance = await startInstance({
      PYCHAT_DATA_DIR: dataDir,
      PYCHAT_REGISTRATION: 'invite',
      PYCHAT_CAPTCHA: 'altcha',
      PYCHAT_ALTCHA_MAX_NUMBER: '5000',
    });
    browser = await launchSharedBrowser();
    admin = await newBrowserUser(browser, adminName);
    carol = await newBrowserUser(browser, uniqueName('carol'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await admin.page.goto(`${instance.url}/login`);
    await admin.page.getByLabel('Username or email').fill(adminName);
    await admin.page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await admin.page.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.waitForURL(/\/chat\/1$/);
  });

  screenshotsOnFailure(() => ({ admin, carol, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  const createInviteLink = async (): Promise<string> => {
    await admin.page.goto(`${instance.url}/admin`);
    await admin.page.getByLabel('Uses').fill('1');
    await admin.page.getByRole('button', { name: 'Create invite link' }).click();
    const field = admin.page.getByLabel('New link (shown once):');
    await expect.poll(() => field.inputValue()).toContain('/signup?invite=');
    return field.inputValue();
  };

  it('the admin makes an invite link and a newcomer signs up with it in another browser, solving ALTCHA', async () => {
    expect(await admin.page.evaluate(() => document.body.textContent)).not.toContain('Only a site administrator');
    const link = await createInviteLink();
    await admin.page.screenshot({ path: join(SCREENSHOT_DIR, 'admin-invites.png'), fullPage: true });

    // Without the invite the form is not offered.
    await carol.page.goto(`${instance.url}/sign-up`);
    await expect.poll(() => carol.page.locator('.note').first().textContent()).toContain('needs an invite link');

    await signUpWithInvite(link, carol);

    await admin.page.reload();
    await expect.poll(() => admin.page.locator('.invites li').first().getAttribute('data-state')).toBe('used-up');
    // Used up: a second newcomer with the same link is told so.
    await bob.page.goto(link);
    await bob.page.getByLabel('Username').fill(bob.name);
    await bob.page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await bob.page.getByLabel('Repeat password').fill('browser-pw');
    await bob.page.locator('altcha-widget input[type="checkbox"]').click({ force: true });
    await expect
      .poll(() => bob.page.locator('altcha-widget [data-state]').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('verified');
    await bob.page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => bob.page.locator('.app-form-error').textContent()).toContain('used as often as it allows');
  });

  it('the admin deactivates bob and bob’s open tab is signed out at once', async () => {
    await signUpWithInvite(await createInviteLink(), bob);

    await admin.page.getByLabel('Search users').fill(bob.name);
    await admin.page.getByRole('button', { name: 'Search' }).click();
    const row = admin.page.locator(`tr[data-username="${bob.name}"]`);
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => row.textContent()).toContain('deactivated');
    await admin.page.screenshot({ path: join(SCREENSHOT_DIR, 'admin-users.png'), fullPage: true });

    await bob.page.waitForURL(/\/login/, { timeout: 10_000 });
    await bob.page.getByLabel('Username or email').fill(bob.name);
    await bob.page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await bob.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => bob.page.locator('.app-form-error').textContent()).toContain('deactivated');
  });
});
