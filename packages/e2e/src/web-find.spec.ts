import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { NO_RATE_LIMITS, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from './stack';

/** Finding things in Chromium: the unread divider, the Ctrl+K switcher, a search across all my rooms. */
describe('finding rooms, people and messages, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  /** A third user driven over the socket, for bulk messages and a public channel. */
  let carol: TestClient;
  let localIds = 0;
  const roadmap = uniqueName('roadmap').slice(0, 16);
  let roadmapRoomId = 0;

  function message(page: Page, text: string) {
    return page.locator('main article.msg[data-message-id]', { hasText: text });
  }

  async function carolSends(roomId: number, content: string): Promise<void> {
    localIds += 1;
    await carol.request('message.send', { roomId, content, localId: `c${localIds}` });
  }

  /** Whether the element is inside the message list's visible part. */
  async function inView(page: Page, selector: string): Promise<boolean> {
    return page.evaluate((sel) => {
      const el = document.querySelector(sel);
      const list = document.querySelector('main .scroller');
      if (!el || !list) {
        return false;
      }
      const a = el.getBoundingClientRect();
      const b = list.getBoundingClientRect();
      return a.bottom > b.top && a.top < b.bottom;
    }, selector);
  }

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-find'), ...NO_RATE_LIMITS });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
    const account = await signUp(instance, uniqueName('carol'));
    carol = await TestClient.connect(instance, account.token);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await carol?.close();
    await browser?.close();
    await instance?.kill();
  });

  it('puts "New messages" where bob left off, with a jump to it while it is off screen', async () => {
    await alice.page.locator('main .composer textarea').fill('before the break');
    await alice.page.locator('main .composer textarea').press('Enter');
    // Bob, at the bottom of the open room, reads it: alice sees it seen.
    await message(bob.page, 'before the break').waitFor();
    await alice.page.getByText(`Seen by ${bob.name}`).waitFor();

    // Bob goes to another room; 41 messages arrive in the first one meanwhile.
    const bobId = carol.ready.users.find((u) => u.username === bob.name)?.id;
    expect(bobId).toBeDefined();
    const { room: side } = await carol.request('channel.create', {
      name: uniqueName('side').slice(0, 16),
      userIds: [bobId!],
    });
    await bob.page.locator(`nav a[data-room-id="${side.id}"]`).click();
    await bob.page.waitForURL(new RegExp(`/chat/${side.id}$`));
    await carolSends(1, 'first after the break');
    for (let i = 0; i < 40; i++) {
      await carolSends(1, `later ${i}`);
    }
    await bob.page.locator('nav a[data-room-id="1"] .badge', { hasText: '41' }).waitFor();

    await bob.page.locator('nav a[data-room-id="1"]').click();
    await message(bob.page, 'later 39').waitFor();
    const divider = bob.page.getByTestId('unread-divider');
    await divider.waitFor({ state: 'attached' });
    expect(await divider.textContent()).toContain('New messages');
    expect(await bob.page.locator('[data-testid="unread-divider"] + article.msg').textContent()).toContain(
      'first after the break',
    );
    // Opened at the bottom, bob has read everything, but the line stays; it is far above, so a jump is offered.
    await bob.page.locator('nav a[data-room-id="1"] .badge').waitFor({ state: 'detached' });
    expect(await inView(bob.page, '[data-testid="unread-divider"]')).toBe(false);
    await bob.page.getByRole('button', { name: 'Jump to first unread' }).click();
    await bob.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="unread-divider"]');
      const list = document.querySelector('main .scroller');
      const a = el?.getBoundingClientRect();
      const b = list?.getBoundingClientRect();
      return !!a && !!b && a.bottom > b.top && a.top < b.bottom;
    });
    await bob.page.getByRole('button', { name: 'Jump to first unread' }).waitFor({ state: 'detached' });

    // "Mark as unread from here" on the newest: the line moves above it and the room counts it again.
    const newest = message(bob.page, 'later 39');
    await newest.scrollIntoViewIfNeeded();
    await newest.hover();
    await newest.getByRole('button', { name: 'Mark as unread from here' }).click();
    await bob.page.locator('nav a[data-room-id="1"] .badge', { hasText: '1' }).waitFor();
    expect(await bob.page.locator('[data-testid="unread-divider"] + article.msg').textContent()).toContain('later 39');
    // The server moved bob's pointer back to just before it, and bob's tab, at the bottom, did not read it again.
    const newestId = Number(await newest.getAttribute('data-message-id'));
    await bob.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const { members } = await carol.request('room.members', { roomId: 1 });
    expect(members.find((m) => m.userId === bobId)?.lastReadMessageId).toBe(newestId - 1);
    await bob.page.locator('nav a[data-room-id="1"] .badge', { hasText: '1' }).waitFor();
  });

  it('Ctrl+K finds a room, a public channel to join, and a person (opening our direct room)', async () => {
    const { room } = await carol.request('channel.create', { name: roadmap, userIds: [], isPublic: true });
    roadmapRoomId = room.id;
    await carolSends(roadmapRoomId, 'the needle is in the roadmap');
    for (let i = 0; i < 60; i++) {
      await carolSends(roadmapRoomId, `roadmap filler ${i}`);
    }
    const page = bob.page;
    const switcher = page.getByRole('dialog', { name: 'Jump to a room or person' });
    const input = page.getByRole('combobox', { name: 'Room, channel or person' });

    // A person: Enter opens (here: creates) the direct room with alice.
    await page.keyboard.press('Control+k');
    await input.fill(alice.name);
    await page.getByRole('option', { name: new RegExp(alice.name) }).waitFor();
    await input.press('Enter');
    await switcher.waitFor({ state: 'detached' });
    await page.locator('main h1.title', { hasText: alice.name }).waitFor();
    const directUrl = page.url();
    expect(directUrl).not.toMatch(/\/chat\/1$/);

    // A room of mine, picked with the arrows.
    await page.keyboard.press('Control+k');
    await input.fill('al');
    await page.getByRole('option', { name: /all/ }).waitFor();
    const options = await page.getByRole('option').allTextContents();
    const target = options.findIndex((o) => o.includes('all') && o.includes('channel'));
    for (let i = 0; i < target; i++) {
      await input.press('ArrowDown');
    }
    await input.press('Enter');
    await page.waitForURL(/\/chat\/1$/);

    // A public channel bob is not in: Enter joins it.
    await page.keyboard.press('Control+k');
    await input.fill(roadmap);
    await page.getByRole('option', { name: new RegExp(`${roadmap}.*join`) }).waitFor();
    await input.press('Enter');
    await page.waitForURL(new RegExp(`/chat/${roadmapRoomId}$`));

    // Esc closes without going anywhere.
    await page.keyboard.press('Control+k');
    await switcher.waitFor();
    await input.press('Escape');
    await switcher.waitFor({ state: 'detached' });
    expect(page.url()).toMatch(new RegExp(`/chat/${roadmapRoomId}$`));
  });

  it('a search across all my rooms finds a message in another room and opens it in context', async () => {
    const page = bob.page;
    await page.locator('nav a[data-room-id="1"]').click();
    await page.waitForURL(/\/chat\/1$/);
    await page.getByRole('button', { name: 'Search messages' }).click();
    await page.getByLabel('All my rooms').check();
    await page.getByRole('searchbox').fill('needle is in');
    await page.getByRole('searchbox').press('Enter');
    const hit = page.locator('.search .hit', { hasText: 'the needle is in the roadmap' });
    await hit.waitFor();
    expect(await hit.locator('.where').textContent()).toBe(`#${roadmap}`);
    if (process.env.E2E_SCREENSHOTS) {
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-find-search.png') });
    }

    await hit.click();
    await page.waitForURL(new RegExp(`/chat/${roadmapRoomId}$`));
    // Deep in history (60 newer messages): loaded, scrolled to and flashed.
    const found = message(page, 'the needle is in the roadmap');
    await found.waitFor();
    await page.waitForFunction(() => {
      const el = [...document.querySelectorAll('main article.msg')].find((a) =>
        a.textContent?.includes('the needle is in the roadmap'),
      );
      const list = document.querySelector('main .scroller');
      const a = el?.getBoundingClientRect();
      const b = list?.getBoundingClientRect();
      return !!a && !!b && a.bottom > b.top && a.top < b.bottom;
    });
    const newest = await message(page, 'roadmap filler 59').getAttribute('data-message-id');
    expect(await inView(page, `main article.msg[data-message-id="${newest}"]`)).toBe(false);
    if (process.env.E2E_SCREENSHOTS) {
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-find-context.png') });
    }
  });
});
