import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/** A small valid PDF: the bytes Bob downloads must be these. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

/** Pastes a 320×200 PNG drawn on a canvas into the composer, as a screenshot paste does. */
async function pasteImage(page: Page): Promise<void> {
  await page.locator('main .composer textarea').evaluate(async (textarea) => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 200;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#2a7';
    g.fillRect(0, 0, 320, 200);
    g.fillStyle = '#fff';
    g.font = '40px sans-serif';
    g.fillText('screenshot', 40, 110);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
    const data = new DataTransfer();
    data.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
    textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
}

describe('files in messages, two users in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const dataDir = tempDir('web-uploads');

  const composer = (page: Page) => page.locator('main .composer');
  const message = (page: Page, text: string) => page.locator('main article.msg', { hasText: text });

  beforeAll(async () => {
    // Above the 200 MB upload that is cancelled.
    instance = await startInstance({ PYCHAT_DATA_DIR: dataDir, PYCHAT_UPLOAD_MAX_MB: '300' });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice pastes an image and attaches a PDF; bob sees the thumbnail, the lightbox and downloads the same bytes', async () => {
    await pasteImage(alice.page);
    await composer(alice.page).getByTestId('attach-file-input').setInputFiles({
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await expect.poll(() => composer(alice.page).locator('[data-draft-status=done]').count()).toBe(2);
    await composer(alice.page).locator('textarea').fill('the files you asked for');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'uploads-composer.png') });
    await composer(alice.page).locator('textarea').press('Enter');

    const received = message(bob.page, 'the files you asked for');
    await received.waitFor();
    const image = received.locator('.attachments img');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    const card = received.locator('a.card', { hasText: 'report.pdf' });
    await card.waitFor();
    await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'uploads-message.png') });

    await received.locator('.attachments button.image').click();
    const lightbox = bob.page.locator('.lightbox img');
    await expect.poll(() => lightbox.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    await bob.page.keyboard.press('Escape');
    await bob.page.locator('.lightbox').waitFor({ state: 'detached' });

    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.click()]);
    expect(download.suggestedFilename()).toBe('report.pdf');
    expect(readFileSync((await download.path())!).equals(PDF)).toBe(true);
  });

  it('alice records a voice message with the fake microphone and bob plays it', async () => {
    await composer(alice.page).getByRole('button', { name: 'Record a voice message' }).click();
    await alice.page.waitForTimeout(2_000);
    await composer(alice.page)
      .getByRole('button', { name: /Stop recording/ })
      .click();
    await expect.poll(() => composer(alice.page).locator('[data-draft-status=done]').count()).toBe(1);
    await composer(alice.page).locator('audio').waitFor();
    await composer(alice.page).getByRole('button', { name: 'Send', exact: true }).click();

    const audio = bob.page.locator('main article.msg .attachments audio').last();
    await audio.waitFor();
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => (Number.isFinite(a.duration) ? a.duration : 0)), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0.5);
    await audio.evaluate(async (a: HTMLAudioElement) => {
      a.muted = true;
      await a.play();
    });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(0);
  });

  it("alice records a video message with the fake camera; bob's player shows its first frame as the poster", async () => {
    await composer(alice.page).getByRole('button', { name: 'Record a video message' }).click();
    await alice.page.waitForTimeout(1_500);
    await composer(alice.page)
      .getByRole('button', { name: /Stop recording/ })
      .click();
    await expect.poll(() => composer(alice.page).locator('[data-draft-status=done]').count()).toBe(1);
    await composer(alice.page).getByRole('button', { name: 'Send', exact: true }).click();

    const video = bob.page.locator('main article.msg .attachments video').last();
    await video.waitFor();
    const poster = await video.getAttribute('poster');
    expect(poster).toMatch(/^\/api\/files\/\d+\/preview$/);
    // The poster is a real picture of the frame: the fake camera's frame is not a blank image.
    const drawn = await bob.page.evaluate(async (url) => {
      const image = new Image();
      image.src = url;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const values = new Set<number>();
      for (let i = 0; i < pixels.length; i += 400) {
        values.add(pixels[i]!);
      }
      return { width: image.naturalWidth, height: image.naturalHeight, distinct: values.size };
    }, poster!);
    expect(drawn.width).toBeGreaterThan(100);
    expect(drawn.height).toBeGreaterThan(100);
    expect(drawn.distinct).toBeGreaterThan(5);
  });

  it('a 200 MB upload shows its progress and can be cancelled; the server keeps nothing of it', async () => {
    const uploads = join(dataDir, 'uploads');
    const stored = () => (existsSync(uploads) ? readdirSync(uploads) : []);
    const before = new Set(stored());
    // 20 MB/s up (about 10 s in all), so the cancel surely comes mid-upload even on a fast loopback.
    const cdp = await alice.page.context().newCDPSession(alice.page);
    const throttle = (uploadThroughput: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput,
      });
    await cdp.send('Network.enable');
    await throttle(20 * 1024 * 1024);
    // Made in the page (zeros): nothing of this size goes through the test's own memory or disk.
    await alice.page.locator('main .composer textarea').evaluate((textarea) => {
      const big = new File([new Uint8Array(200 * 1024 * 1024)], 'big.bin', { type: 'application/octet-stream' });
      const data = new DataTransfer();
      data.items.add(big);
      textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const progress = composer(alice.page).getByRole('progressbar', { name: 'Uploading big.bin' });
    await expect
      .poll(() => progress.evaluate((bar: HTMLProgressElement) => bar.value), { timeout: 30_000 })
      .toBeGreaterThan(0.05);
    // Part of it is on the server's disk now.
    await expect.poll(() => stored().filter((name) => !before.has(name)).length, { timeout: 10_000 }).toBe(1);
    expect(await progress.evaluate((bar: HTMLProgressElement) => bar.value)).toBeLessThan(1);

    await composer(alice.page).getByRole('button', { name: 'Remove big.bin' }).click();
    expect(await composer(alice.page).locator('[data-draft-status]').count()).toBe(0);
    await expect.poll(() => stored().filter((name) => !before.has(name)), { timeout: 10_000 }).toEqual([]);
    await throttle(-1);
    await cdp.detach();
  });

  it('an uploaded SVG with a script never runs in the Pychat origin', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
        '<script>localStorage.setItem("pwned", "yes")</script><rect width="10" height="10"/></svg>',
    );
    await composer(alice.page).getByTestId('attach-file-input').setInputFiles({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: svg,
    });
    await expect.poll(() => composer(alice.page).locator('[data-draft-status=done]').count()).toBe(1);
    await composer(alice.page).locator('textarea').fill('an svg');
    await composer(alice.page).locator('textarea').press('Enter');
    const card = message(bob.page, 'an svg').locator('a.card');
    await card.waitFor();
    const href = await card.getAttribute('href');
    // Shown as a download card, never as an image; opened directly, it downloads instead of rendering.
    expect(await message(bob.page, 'an svg').locator('img').count()).toBe(0);
    const page = await bob.context.newPage();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.goto(`${instance.url}${href!.replace('?download=1', '')}`).catch(() => undefined),
    ]);
    expect(download.suggestedFilename()).toBe('logo.svg');
    await page.close();
    expect(await bob.page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();
  });

  it('an image attached offline waits in the outbox across a reload, then bob receives it exactly once', async () => {
    await alice.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => alice.page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await alice.context.setOffline(true);
    await pasteImage(alice.page);
    await expect.poll(() => composer(alice.page).locator('[data-draft-status=queued]').count()).toBe(1);
    await composer(alice.page).locator('textarea').fill('drawn on the train');
    await composer(alice.page).locator('textarea').press('Enter');
    const mine = message(alice.page, 'drawn on the train');
    await mine.getByText('Sending…').waitFor();
    await mine.getByTestId('pending-files').getByText('1 file').waitFor();

    // The app shell comes from the service worker; the image's bytes from IndexedDB.
    await alice.page.reload();
    await mine.getByTestId('pending-files').getByText('1 file').waitFor();
    await alice.page.getByText('You are offline').waitFor();
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'uploads-outbox-queued.png') });
    expect(await message(bob.page, 'drawn on the train').count()).toBe(0);

    await alice.context.setOffline(false);
    const received = message(bob.page, 'drawn on the train');
    await received.waitFor({ timeout: 40_000 });
    const image = received.locator('.attachments img');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    await expect.poll(() => mine.getByText('Sending…').count(), { timeout: 20_000 }).toBe(0);
    await mine.locator('.attachments img').waitFor();
    await bob.page.waitForTimeout(1_000);
    expect(await received.count()).toBe(1);
    await bob.page.reload();
    await received.locator('.attachments img').waitFor();
    expect(await received.count()).toBe(1);
    // Sent: nothing of it is left in alice's outbox.
    expect(
      await alice.page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open('pychat');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const count = open.result.transaction('outbox').objectStore('outbox').count();
              count.onsuccess = () => resolve(count.result);
              count.onerror = () => reject(count.error);
            };
          }),
      ),
    ).toBe(0);
  });
});
