import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  composer,
  inViewport,
  message,
  newBrowserUser,
  sendFillers,
  sendMessage,
  signInInBrowser,
  useTwoUsers,
} from './browser';
import { NO_RATE_LIMITS } from './stack';

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
  const web = useTwoUsers('web-replies', { env: NO_RATE_LIMITS, aliceInitScript: COUNT_NOTIFICATIONS });
  const { alice, bob } = web;
  /** The channel the pin test creates, alice its admin, bob a member. */
  let channelRoomId = 0;

  const notified = (page: Page) => page.evaluate(() => (window as unknown as { __notified: number }).__notified);

  it('bob replies inline to an old message of alice; alice, on a fresh device, jumps from the excerpt to it', async () => {
    await sendMessage(alice.page, 'which database for the pilot?');
    await message(bob.page, 'which database for the pilot?').waitFor();
    // 120: more than two history pages of 50, so alice's fresh device must load back to jump; fewer than the
    // message list's window of 150 rows, so bob still has the original rendered above without scrolling.
    await sendFillers(web.instance, 120);
    await message(bob.page, 'filler 119').waitFor({ state: 'attached', timeout: 60_000 });

    const original = message(bob.page, 'which database for the pilot?');
    await original.hover();
    await original.locator('.tools').getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.page.locator('[data-testid="replying-to"]', { hasText: alice.name }).waitFor();
    await sendMessage(bob.page, 'SQLite, then MariaDB');
    const atBob = message(bob.page, 'SQLite, then MariaDB');
    await atBob.locator('[data-testid="reply-to"]', { hasText: 'which database for the pilot?' }).waitFor();
    expect(await bob.page.locator('[data-testid="replying-to"]').count()).toBe(0);

    const device = await newBrowserUser(web.browser, alice.name);
    try {
      await signInInBrowser(web.instance.url, device);
      const reply = message(device.page, 'SQLite, then MariaDB');
      const excerpt = reply.locator('[data-testid="reply-to"]');
      await excerpt.waitFor();
      expect(await excerpt.textContent()).toContain(alice.name);
      await excerpt.click();
      const target = message(device.page, 'which database for the pilot?').first();
      await target.waitFor();
      await expect.poll(() => inViewport(target)).toBe(true);
    } finally {
      await device.context.close();
    }
  });

  it('bob quotes a message of alice: a blockquote headed by her name reaches her', async () => {
    await sendMessage(alice.page, 'ship it on friday');
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
    await page.goto(`${web.instance.url}/room/${roomId}/settings`);
    await page.getByPlaceholder('Search by name').last().fill(bob.name);
    await page.getByLabel(bob.name).check();
    await page.getByRole('button', { name: /^Invite/ }).click();
    await bob.page.locator(`nav a[data-room-id="${roomId}"]`).click();
    await page.goto(`${web.instance.url}/chat/${roomId}`);
    await sendMessage(page, 'pin candidate');
    const atBob = message(bob.page, 'pin candidate');
    await atBob.waitFor();
    await atBob.hover();
    await atBob.getByRole('button', { name: 'Pin message' }).waitFor();

    await page.goto(`${web.instance.url}/room/${roomId}/settings`);
    const toggle = page.getByRole('switch', { name: /Only admins pin messages/ });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await atBob.hover();
    await expect.poll(() => atBob.getByRole('button', { name: 'Pin message' }).count()).toBe(0);
    // Bob has no switch in his settings of the room.
    await bob.page.goto(`${web.instance.url}/room/${roomId}/settings`);
    await bob.page.getByText('Members (2)').waitFor();
    expect(await bob.page.getByRole('switch', { name: /Only admins pin messages/ }).count()).toBe(0);

    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    await bob.page.goto(`${web.instance.url}/chat/${roomId}`);
    await atBob.hover();
    await atBob.getByRole('button', { name: 'Pin message' }).waitFor();
  });
  it('alice goes do-not-disturb: bob sees her status, and his message raises no notification for her', async () => {
    // The channel room of the pin test: notifications on (the "all" room notifies mentions only).
    await alice.page.goto(`${web.instance.url}/chat/${channelRoomId}`);
    await bob.page.goto(`${web.instance.url}/chat/${channelRoomId}`);
    await message(alice.page, 'pin candidate').waitFor();
    await alice.page.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });
    // Control: while available, a message of bob in a "hidden" tab notifies her.
    const before = await notified(alice.page);
    await sendMessage(bob.page, 'are you around?');
    await message(alice.page, 'are you around?').waitFor();
    await expect.poll(() => notified(alice.page)).toBe(before + 1);

    await alice.page.getByTestId('status-button').click();
    await alice.page.getByLabel(/Do not disturb/).check();
    await alice.page.getByTestId('status-text').fill('deep work');
    await alice.page.getByRole('button', { name: 'Save' }).click();
    await alice.page.getByRole('button', { name: 'Status: Do not disturb: deep work' }).waitFor();

    await sendMessage(bob.page, 'quick question during focus');
    await message(alice.page, 'quick question during focus').waitFor();
    await sendMessage(alice.page, 'later please');
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
