import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { NO_RATE_LIMITS, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from './stack';

/**
 * Alice's page counts the browser notifications the app raises (a stand-in `Notification`, permission granted)
 * and can pretend its tab is hidden, so a message is one the app would notify about.
 */
const COUNT_NOTIFICATIONS = `
  window.__notified = 0;
  window.__hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
  window.Notification = class {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor() { window.__notified += 1; }
  };
`;

/** Inline replies, quotes, do-not-disturb and the pin permission, two users in Chromium. */
describe('replies, quotes and status, two users in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  /** The channel the pin test creates, alice its admin, bob a member. */
  let channelRoomId = 0;

  function composer(page: Page) {
    return page.locator('main .composer textarea');
  }

  async function send(page: Page, text: string) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
  }

  function message(page: Page, text: string) {
    return page.locator('main article.msg[data-message-id]', { hasText: text });
  }

  const notified = (page: Page) => page.evaluate(() => (window as unknown as { __notified: number }).__notified);

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-replies'), ...NO_RATE_LIMITS });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    await alice.context.addInitScript(COUNT_NOTIFICATIONS);
    bob = await newBrowserUser(browser, uniqueName('bob'));
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('bob replies inline to an old message of alice; alice, on a fresh device, jumps from the excerpt to it', async () => {
    await send(alice.page, 'which database for the pilot?');
    await message(bob.page, 'which database for the pilot?').waitFor();
    const carol = await signUp(instance, uniqueName('carol'));
    const client = await TestClient.connect(instance, carol.token);
    // 120: more than two history pages of 50, so alice's fresh device must load back to jump; fewer than the
    // message list's window of 150 rows, so bob still has the original rendered above without scrolling.
    for (let i = 0; i < 120; i++) {
      await client.request('message.send', { roomId: 1, content: `filler ${i}`, localId: `f${i}` });
    }
    await client.close();
    await message(bob.page, 'filler 119').waitFor({ state: 'attached', timeout: 60_000 });

    const original = message(bob.page, 'which database for the pilot?');
    await original.hover();
    await original.locator('.tools').getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.page.locator('[data-testid="replying-to"]', { hasText: alice.name }).waitFor();
    await send(bob.page, 'SQLite, then MariaDB');
    const atBob = message(bob.page, 'SQLite, then MariaDB');
    await atBob.locator('[data-testid="reply-to"]', { hasText: 'which database for the pilot?' }).waitFor();
    expect(await bob.page.locator('[data-testid="replying-to"]').count()).toBe(0);

    const device = await newBrowserUser(browser, alice.name);
    try {
      await device.page.goto(`${instance.url}/login`);
      await device.page.getByLabel('Username or email').fill(alice.name);
      await device.page.getByLabel('Password', { exact: true }).fill('browser-pw');
      await device.page.getByRole('button', { name: 'Sign in' }).click();
      const reply = message(device.page, 'SQLite, then MariaDB');
      const excerpt = reply.locator('[data-testid="reply-to"]');
      await excerpt.waitFor();
      expect(await excerpt.textContent()).toContain(alice.name);
      await excerpt.click();
      const target = message(device.page, 'which database for the pilot?').first();
      await target.waitFor();
      await expect
        .poll(() =>
          target.evaluate((el) => {
            const box = el.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
          }),
        )
        .toBe(true);
    } finally {
      await device.context.close();
    }
  });

  it('bob quotes a message of alice: a blockquote headed by her name reaches her', async () => {
    await send(alice.page, 'ship it on friday');
    const atBob = message(bob.page, 'ship it on friday');
    await atBob.waitFor();
    await atBob.hover();
    await atBob.locator('.tools').getByRole('button', { name: 'Quote message' }).click();
    await expect.poll(() => composer(bob.page).inputValue()).toBe(`> **${alice.name}**:\n> ship it on friday\n\n`);
    await composer(bob.page).press('End');
    await composer(bob.page).pressSequentially('not before the freeze');
    await composer(bob.page).press('Enter');
    const shown = message(alice.page, 'not before the freeze');
    await shown.waitFor();
    const quote = shown.locator('.content blockquote');
    expect(await quote.textContent()).toContain('ship it on friday');
    expect(await quote.locator('strong').textContent()).toBe(alice.name);
  });

  it('the admin lets only admins pin: bob loses the pin action live, and gets it back', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: '+ Channel' }).click();
    await page.getByLabel('Channel name').fill('pinning');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.waitForURL(/\/chat\/\d+$/);
    const roomId = Number(/\/chat\/(\d+)$/.exec(page.url())?.[1]);
    channelRoomId = roomId;
    await page.goto(`${instance.url}/room/${roomId}/settings`);
    await page.getByPlaceholder('Search by name').last().fill(bob.name);
    await page.getByLabel(bob.name).check();
    await page.getByRole('button', { name: /^Invite/ }).click();
    await bob.page.locator(`nav a[data-room-id="${roomId}"]`).click();
    await page.goto(`${instance.url}/chat/${roomId}`);
    await send(page, 'pin candidate');
    const atBob = message(bob.page, 'pin candidate');
    await atBob.waitFor();
    await atBob.hover();
    await atBob.getByRole('button', { name: 'Pin message' }).waitFor();

    await page.goto(`${instance.url}/room/${roomId}/settings`);
    const toggle = page.getByRole('switch', { name: /Only admins pin messages/ });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await atBob.hover();
    await expect.poll(() => atBob.getByRole('button', { name: 'Pin message' }).count()).toBe(0);
    // Bob has no switch in his settings of the room.
    await bob.page.goto(`${instance.url}/room/${roomId}/settings`);
    await bob.page.getByText('Members (2)').waitFor();
    expect(await bob.page.getByRole('switch', { name: /Only admins pin messages/ }).count()).toBe(0);

    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    await bob.page.goto(`${instance.url}/chat/${roomId}`);
    await atBob.hover();
    await atBob.getByRole('button', { name: 'Pin message' }).waitFor();
  });
  it('alice goes do-not-disturb: bob sees her status, and his message raises no notification for her', async () => {
    // The channel room of the pin test: notifications on (the "all" room notifies mentions only).
    await alice.page.goto(`${instance.url}/chat/${channelRoomId}`);
    await bob.page.goto(`${instance.url}/chat/${channelRoomId}`);
    await message(alice.page, 'pin candidate').waitFor();
    await alice.page.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });
    // Control: while available, a message of bob in a "hidden" tab notifies her.
    const before = await notified(alice.page);
    await send(bob.page, 'are you around?');
    await message(alice.page, 'are you around?').waitFor();
    await expect.poll(() => notified(alice.page)).toBe(before + 1);

    await alice.page.getByTestId('status-button').click();
    await alice.page.getByLabel(/Do not disturb/).check();
    await alice.page.getByTestId('status-text').fill('deep work');
    await alice.page.getByRole('button', { name: 'Save' }).click();
    await alice.page.getByRole('button', { name: 'Status: Do not disturb: deep work' }).waitFor();

    await send(bob.page, 'quick question during focus');
    await message(alice.page, 'quick question during focus').waitFor();
    await send(alice.page, 'later please');
    const badge = message(bob.page, 'later please').locator('[data-testid="user-status"]');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('DND');
    expect(await badge.getAttribute('title')).toBe('Do not disturb: deep work');
    expect(await notified(alice.page)).toBe(before + 1);

    await alice.page.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = false;
    });
  });
});
