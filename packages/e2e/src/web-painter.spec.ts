import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  openDirectRoom,
  screenshotsOnFailure,
  SCREENSHOT_DIR,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/** The part of window.__pychatCall (main.ts) this spec reads. */
interface PeerStats {
  connectionState: string;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}
type CallWindow = Window & { __pychatCall: { stats(): Promise<PeerStats[]> } };
type Rgb = [number, number, number];

function stats(page: Page): Promise<PeerStats> {
  return page.evaluate(async () => (await (window as unknown as CallWindow).__pychatCall.stats())[0]);
}

/** Aspect ratio of the video this page decodes: Chromium's fake camera is 4:3, the painter (and fake screen) 16:9. */
async function aspect(page: Page): Promise<number> {
  const s = await stats(page);
  return s.frameHeight > 0 ? Math.round((s.frameWidth / s.frameHeight) * 100) / 100 : 0;
}

/**
 * Mouse strokes across the canvas: horizontal lines `gap` CSS px apart covering the band between `top` and
 * `bottom` (fractions of the canvas height), from `left` to `right` (fractions of its width).
 */
async function paintBand(
  page: Page,
  canvas: Locator,
  {
    top,
    bottom,
    left = 0.05,
    right = 0.95,
    gap = 6,
  }: { top: number; bottom: number; left?: number; right?: number; gap?: number },
): Promise<void> {
  const box = await canvas.boundingBox();
  if (!box) {
    throw new Error('no canvas');
  }
  for (let y = box.y + box.height * top; y <= box.y + box.height * bottom; y += gap) {
    await page.mouse.move(box.x + box.width * left, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * right, y, { steps: 8 });
    await page.mouse.up();
  }
}

/** The colour of an <img> or <video> at (fx, fy), fractions of its natural size, read through a 2D canvas. */
function pixel(page: Page, selector: string, fx: number, fy: number): Promise<Rgb> {
  return page.evaluate(
    ({ selector, fx, fy }) => {
      const media = document.querySelector(selector) as HTMLImageElement | HTMLVideoElement;
      const width = media instanceof HTMLVideoElement ? media.videoWidth : media.naturalWidth;
      const height = media instanceof HTMLVideoElement ? media.videoHeight : media.naturalHeight;
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d')!;
      g.drawImage(media, 0, 0, width, height);
      const [r, gr, b] = g.getImageData(Math.floor(width * fx), Math.floor(height * fy), 1, 1).data;
      return [r, gr, b] as Rgb;
    },
    { selector, fx, fy },
  );
}

const isRed = ([r, g, b]: Rgb) => r > 180 && g < 120 && b < 120;
const isWhite = ([r, g, b]: Rgb) => r > 220 && g > 220 && b > 220;
const isBlue = ([r, , b]: Rgb) => b > 170 && r < 90;

/**
 * Issue 13, live drawing: the painter (lazy-loaded) drawn with real mouse strokes, sent as an image message, and
 * shared in a call as a canvas video track (captureStream) in place of the camera.
 */
describe('the painter, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;

  const composer = (page: Page) => page.locator('main .composer');

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-painter') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    await openDirectRoom(instance.url, alice, bob);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice draws (brush, eraser, undo), attaches the drawing and sends it; bob sees her picture', async () => {
    // The painter is not in the chat view's code: its chunk comes with the first "Draw an image".
    const painterChunk = alice.page.waitForRequest(/\/js\/painter\.[0-9a-f]+\.js$/);
    await composer(alice.page).getByRole('button', { name: 'Draw an image' }).click();
    await painterChunk;
    const dialog = alice.page.getByRole('dialog', { name: 'Draw an image' });
    const canvas = dialog.getByTestId('painter-canvas');
    await canvas.waitFor();
    await expect(dialog.getByRole('button', { name: 'Attach drawing' }).isDisabled()).resolves.toBe(true);

    await dialog.getByRole('button', { name: 'Red', exact: true }).click();
    await dialog.getByRole('button', { name: 'Thick', exact: true }).click();
    await paintBand(alice.page, canvas, { top: 0.4, bottom: 0.6 });
    // One blue stroke at the top, taken back with Undo.
    await dialog.getByRole('button', { name: 'Blue', exact: true }).click();
    await paintBand(alice.page, canvas, { top: 0.125, bottom: 0.125 });
    await dialog.getByRole('button', { name: 'Undo', exact: true }).click();
    // The eraser cuts a gap through the red band, on the left.
    await dialog.getByRole('button', { name: 'Eraser', exact: true }).click();
    const box = (await canvas.boundingBox())!;
    for (let x = box.x + box.width * 0.2; x <= box.x + box.width * 0.25; x += 5) {
      await alice.page.mouse.move(x, box.y + box.height * 0.3);
      await alice.page.mouse.down();
      await alice.page.mouse.move(x, box.y + box.height * 0.7, { steps: 6 });
      await alice.page.mouse.up();
    }
    if (process.env.E2E_SCREENSHOTS) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'painter-dialog.png') });
    }
    await dialog.getByRole('button', { name: 'Attach drawing' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => composer(alice.page).locator('[data-draft-status=done]').count(), { timeout: 30_000 })
      .toBe(1);
    await composer(alice.page).locator('textarea').fill('my drawing');
    await composer(alice.page).locator('textarea').press('Enter');

    const selector = 'main article.msg .attachments img';
    const image = bob.page.locator('main article.msg', { hasText: 'my drawing' }).locator('.attachments img');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(isRed(await pixel(bob.page, selector, 0.5, 0.5))).toBe(true);
    // Undone: no blue at the top; erased: white in the gap.
    expect(isWhite(await pixel(bob.page, selector, 0.5, 0.125))).toBe(true);
    expect(isWhite(await pixel(bob.page, selector, 0.225, 0.5))).toBe(true);
  });

  it('in a call alice shares the painter: bob decodes it and sees her colour; the screen and the camera take over', async () => {
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await bob.page.getByRole('alertdialog').getByRole('button', { name: 'Answer with video', exact: true }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor();
      await expect.poll(async () => (await stats(page))?.connectionState, { timeout: 30_000 }).toBe('connected');
    }
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.33);

    await alice.page.getByRole('button', { name: 'Share painter' }).click();
    const painter = alice.page.getByTestId('call-painter');
    const canvas = painter.getByTestId('painter-canvas');
    await canvas.waitFor();
    await painter.getByRole('button', { name: 'Blue', exact: true }).click();
    await painter.getByRole('button', { name: 'Thick', exact: true }).click();
    // The canvas (16:9) replaces the 4:3 camera on the same received track.
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.78);
    const before = (await stats(bob.page)).framesDecoded;
    await paintBand(alice.page, canvas, { top: 0.3, bottom: 0.7, gap: 5 });
    await expect
      .poll(async () => (await stats(bob.page)).framesDecoded, { timeout: 15_000 })
      .toBeGreaterThan(before + 10);
    const video = '[data-testid="call-tile"] video';
    await expect.poll(async () => isBlue(await pixel(bob.page, video, 0.5, 0.5)), { timeout: 15_000 }).toBe(true);
    // Alice stops drawing: the still canvas still sends a frame a second (requestFrame), bob's decoder keeps going.
    const still = (await stats(bob.page)).framesDecoded;
    await expect
      .poll(async () => (await stats(bob.page)).framesDecoded, { timeout: 10_000 })
      .toBeGreaterThan(still + 3);
    if (process.env.E2E_SCREENSHOTS) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'painter-call-alice.png') });
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'painter-call-bob.png') });
    }

    // The screen takes the painter's place: the painter closes, bob's picture is no longer the drawing.
    await alice.page.getByRole('button', { name: 'Share the screen' }).click();
    await painter.waitFor({ state: 'detached' });
    await alice.page.getByRole('button', { name: 'Stop sharing the screen' }).waitFor();
    await expect.poll(async () => isBlue(await pixel(bob.page, video, 0.5, 0.5)), { timeout: 15_000 }).toBe(false);

    // The painter again, then back to the camera.
    await alice.page.getByRole('button', { name: 'Share painter' }).click();
    await canvas.waitFor();
    await alice.page.getByRole('button', { name: 'Share the screen' }).waitFor();
    await alice.page.getByRole('button', { name: 'Stop sharing the painter' }).click();
    await painter.waitFor({ state: 'detached' });
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.33);
    const camera = (await stats(bob.page)).framesDecoded;
    await expect
      .poll(async () => (await stats(bob.page)).framesDecoded, { timeout: 15_000 })
      .toBeGreaterThan(camera + 10);

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
    }
  }, 180_000);
});
