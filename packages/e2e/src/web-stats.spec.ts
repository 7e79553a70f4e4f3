import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  openDirectRoom,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

const CLI = resolve(__dirname, '../../backend/dist/cli/index.js');

/** A person behind a proxy that says they come from `ip` (the instance trusts loopback proxies). */
async function userFrom(browser: Browser, name: string, ip: string): Promise<BrowserUser> {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 800 },
    extraHTTPHeaders: { 'x-forwarded-for': ip },
  });
  const page = await context.newPage();
  return { context, page, name };
}

describe('statistics and country flags in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let admin: BrowserUser;
  let bob: BrowserUser;
  const dataDir = tempDir('stats');

  beforeAll(async () => {
    instance = await startInstance({
      PYCHAT_DATA_DIR: dataDir,
      PYCHAT_TRUST_PROXY: 'loopback',
      PYCHAT_SHOW_COUNTRY: 'true',
    });
    browser = await launchSharedBrowser();
    admin = await userFrom(browser, uniqueName('admin'), '81.2.69.142');
    bob = await userFrom(browser, uniqueName('bob'), '8.8.8.8');
  });

  screenshotsOnFailure(() => ({ admin, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('shows the site admin charts of the activity, and tells anyone else the page is not theirs', async () => {
    // The operator's admin: `pychat create-user --admin`, then a normal sign-in.
    await new Promise<void>((ok, fail) => {
      const child = execFile(
        process.execPath,
        [CLI, 'create-user', admin.name, '--admin', '--password-stdin'],
        { env: { PATH: process.env.PATH, PYCHAT_ENV_FILE: '/dev/null', PYCHAT_DATA_DIR: dataDir } },
        (error) => (error ? fail(error) : ok()),
      );
      child.stdin?.end('browser-pw\n');
    });
    await admin.page.goto(`${instance.url}/login`);
    await admin.page.getByLabel('Username or email').fill(admin.name);
    await admin.page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await admin.page.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.waitForURL(/\/chat\/1$/);
    await signUpInBrowser(instance.url, bob);
    await bob.page.locator('main .composer textarea').fill('hello from bob');
    await bob.page.locator('main .composer textarea').press('Enter');

    // Flags beside the sender: bob connects from the United States (loaded on the next connect, as pychat did).
    await admin.page.reload();
    const flag = admin.page.locator('main article.msg', { hasText: 'hello from bob' }).locator('.user-flag');
    await expect.poll(() => flag.getAttribute('title')).toBe('United States');

    await bob.page.goto(`${instance.url}/admin/stats`);
    await expect.poll(() => bob.page.getByRole('alert').textContent()).toContain('Only a site admin');

    await admin.page.goto(`${instance.url}/settings`);
    await admin.page.getByRole('link', { name: 'Statistics' }).click();
    await admin.page.waitForURL(/\/admin\/stats$/);
    const stat = (name: string) => admin.page.locator(`[data-stat="${name}"]`).textContent();
    await expect.poll(() => stat('online')).toBe('2');
    expect(await stat('users')).toBe('2');
    expect(await stat('signups')).toBe('2');
    expect(await stat('messages')).toBe('1');
    expect(await admin.page.locator('.bar-row').allTextContents()).toEqual([
      expect.stringContaining('United Kingdom'),
      expect.stringContaining('United States'),
    ]);
    // 30 days in each of the three day charts, today's columns drawn.
    expect(await admin.page.locator('rect.column').count()).toBe(90);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await admin.page.screenshot({ path: join(SCREENSHOT_DIR, 'admin-stats.png'), fullPage: true });
  });
});

/** Counts the notifications a page shows, and hides it (notifications are for tabs out of view). */
const COUNT_NOTIFICATIONS = `
  window.__notified = [];
  Object.defineProperty(document, 'hidden', { get: () => true });
  Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notified.push(title);
    }
  };
`;

describe('notifications with two tabs of one browser', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let bobSecondTab: Page;
  let roomId = 0;

  const notified = (page: Page) => page.evaluate(() => (window as unknown as { __notified: string[] }).__notified);

  async function send(text: string): Promise<void> {
    await alice.page.locator('main .composer textarea').fill(text);
    await alice.page.locator('main .composer textarea').press('Enter');
  }

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('one-tab') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    const context: BrowserContext = bob.context;
    await context.grantPermissions(['notifications'], { origin: instance.url });
    await context.addInitScript(COUNT_NOTIFICATIONS);
    roomId = await openDirectRoom(instance.url, alice, bob);
    bobSecondTab = await context.newPage();
    await bobSecondTab.goto(`${instance.url}/chat/${roomId}`);
    await bobSecondTab.locator('main .composer textarea').waitFor();
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('notifies once, from the main tab, for a message both tabs receive', async () => {
    await send('ping one');
    for (const page of [bob.page, bobSecondTab]) {
      await page.locator('main article.msg', { hasText: 'ping one' }).waitFor();
    }
    await expect.poll(async () => (await notified(bob.page)).length + (await notified(bobSecondTab)).length).toBe(1);
    // Both tabs have the message on screen, so the other one has handled it too: still one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([await notified(bob.page), await notified(bobSecondTab)]).toEqual([[`${alice.name} in ${alice.name}`], []]);
  });

  it('hands the role to the other tab when the main tab closes', async () => {
    await bob.page.close();
    await send('ping two');
    await bobSecondTab.locator('main article.msg', { hasText: 'ping two' }).waitFor();
    await expect.poll(() => notified(bobSecondTab)).toEqual([`${alice.name} in ${alice.name}`]);
  });
});
