import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchSharedBrowser } from './browser';
import { signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from './stack';

const RESULTS = join(__dirname, '../../../test-results');
/** Set E2E_SCREENSHOTS=1 to keep pictures of the phone layout in test-results/ (to look at, not compared). */
const SCREENSHOTS = process.env.E2E_SCREENSHOTS === '1';

/**
 * The web app on a 360 px touch phone (runs inside `unshare -n`, see scripts/run-suites.mjs): the room drawer can
 * be dismissed like a native one, the ☰ button tells about messages elsewhere, and a long press opens a message's
 * actions. Bob talks through the protocol client.
 */
describe('the web app on a 360 px phone, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let bobToken = '';
  const aliceName = uniqueName('alice');

  const drawer = () => page.locator('nav.sidebar');
  const menuButton = () => page.getByRole('button', { name: /^Show rooms/ });

  async function shot(name: string): Promise<void> {
    if (SCREENSHOTS) {
      await page.screenshot({ path: join(RESULTS, `phone-${name}.png`) });
    }
  }

  /** A finger on the screen, moved in steps: playwright's touchscreen only taps. */
  async function touch(points: { x: number; y: number }[], holdMs = 0): Promise<void> {
    const [first, ...rest] = points;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [first!] });
    if (holdMs > 0) {
      await page.waitForTimeout(holdMs);
    }
    for (const point of rest) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }

  async function openDrawer(): Promise<void> {
    await menuButton().tap();
    await drawer().waitFor({ state: 'visible' });
  }

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('phone') });
    browser = await launchSharedBrowser();
    context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    cdp = await context.newCDPSession(page);

    await page.goto(`${instance.url}/sign-up`);
    await page.getByLabel('Username').fill(aliceName);
    await page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await page.getByLabel('Repeat password').fill('browser-pw');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/chat\/1$/);

    bobToken = (await signUp(instance, uniqueName('bob'))).token;
  });

  // Each case starts from a fresh load of "all" with the drawer closed.
  beforeEach(async () => {
    await page.goto(`${instance.url}/chat/1`);
    await page.locator('main .composer textarea').waitFor();
  });

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail') {
      const name = test.task.name.replace(/\W+/g, '-').slice(0, 60);
      await page?.screenshot({ path: join(RESULTS, `${name}-phone.png`) }).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('greets a newcomer with what to do first, until the welcome is dismissed', async () => {
    const welcome = page.getByRole('region', { name: /^Welcome to Pychat/ });
    await welcome.waitFor();
    expect(await welcome.getByRole('link', { name: 'Create a channel' }).count()).toBe(1);
    expect(await welcome.getByRole('link', { name: 'Start a direct message' }).count()).toBe(1);
    await shot('welcome');
    await welcome.getByRole('button', { name: 'Got it' }).tap();
    await welcome.waitFor({ state: 'hidden' });
    await page.reload();
    await page.locator('main .composer textarea').waitFor();
    expect(await welcome.count()).toBe(0);
  });

  it('hides the drawer and shows the header as icon buttons with names', async () => {
    expect(await drawer().isVisible()).toBe(false);
    for (const name of [/^Show rooms/, /^Search messages$/]) {
      const button = page.getByRole('button', { name });
      expect(await button.locator('svg').count()).toBe(1);
      const box = await button.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(40);
      expect(box?.height).toBeGreaterThanOrEqual(40);
    }
    expect(await page.getByRole('link', { name: 'Room settings' }).locator('svg').count()).toBe(1);
    await shot('header');
  });

  it('closes the drawer with a tap on the backdrop beside it', async () => {
    await openDrawer();
    await shot('drawer');
    await page.touchscreen.tap(345, 400);
    await drawer().waitFor({ state: 'hidden' });
  });

  it('closes the drawer with Escape, giving focus back to ☰', async () => {
    await openDrawer();
    // Focus moves into the drawer, onto the open room.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-room-id'))).toBe('1');
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'hidden' });
    expect(await menuButton().evaluate((button) => button === document.activeElement)).toBe(true);
  });

  it('closes the drawer with a swipe to the left, and not with a vertical scroll', async () => {
    await openDrawer();
    await touch([
      { x: 150, y: 300 },
      { x: 150, y: 420 },
      { x: 145, y: 520 },
    ]);
    expect(await drawer().isVisible()).toBe(true);
    await touch([
      { x: 250, y: 400 },
      { x: 180, y: 405 },
      { x: 100, y: 410 },
      { x: 40, y: 410 },
    ]);
    await drawer().waitFor({ state: 'hidden' });
  });

  it('marks ☰ when a message arrives in another room', async () => {
    expect(await page.getByTestId('menu-unread').count()).toBe(0);
    // Connected only now: an idle protocol client is closed by the server after a while.
    const bob = await TestClient.connect(instance, bobToken);
    const alice = bob.ready.users.find((user) => user.username === aliceName);
    expect(alice).toBeDefined();
    const { room } = await bob.request('room.createDirect', { userId: alice!.id });
    await bob.request('message.send', { roomId: room.id, content: 'psst, over here', localId: 'phone-1' });

    await page.getByTestId('menu-unread').waitFor();
    expect(await menuButton().getAttribute('aria-label')).toBe('Show rooms, 1 unread in other rooms');
    await shot('menu-unread');

    // Reading it clears the sign.
    await openDrawer();
    await page.locator(`nav a[data-room-id="${room.id}"]`).tap();
    await page.getByText('psst, over here').waitFor();
    await expect.poll(() => page.getByTestId('menu-unread').count()).toBe(0);
    bob.ws.close();
  });

  it('opens a message’s actions with a long press, as touch-sized buttons', async () => {
    const composer = page.locator('main .composer textarea');
    await composer.fill('press me for a while');
    await composer.press('Enter');
    const message = page.locator('main article.msg[data-message-id]', { hasText: 'press me for a while' });
    await message.waitFor();
    const del = message.getByRole('button', { name: 'Delete message' });
    expect(await del.isVisible()).toBe(false);

    const box = await message.locator('.content').boundingBox();
    const at = { x: box!.x + 20, y: box!.y + box!.height / 2 };
    // It opens while the finger still rests (no hover, no click has happened), and stays open after.
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
    await del.waitFor({ state: 'visible', timeout: 3_000 });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForTimeout(300);
    expect(await del.isVisible()).toBe(true);
    for (const name of ['Reply in thread', 'Edit message', 'Delete message']) {
      const button = await message.getByRole('button', { name }).boundingBox();
      expect(button?.width).toBeGreaterThanOrEqual(40);
      expect(button?.height).toBeGreaterThanOrEqual(40);
    }
    await shot('message-actions');

    // A tap elsewhere closes it; a long press again and Delete acts on the message.
    await page.touchscreen.tap(180, 80);
    await del.waitFor({ state: 'hidden' });
    await touch([at], 800);
    await del.tap();
    await page.locator('main article.msg.deleted', { hasText: 'This message was deleted.' }).waitFor();
  });
});
