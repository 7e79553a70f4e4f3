import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  screenshotsOnFailure,
  SCREENSHOT_DIR,
  signUpInBrowser,
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

function stats(page: Page): Promise<PeerStats> {
  return page.evaluate(async () => (await (window as unknown as CallWindow).__pychatCall.stats())[0]);
}

/** Aspect ratio of the video this page decodes from its one peer: Chromium's fake camera is 4:3, its fake screen 16:9. */
async function aspect(page: Page): Promise<number> {
  const s = await stats(page);
  return s.frameHeight > 0 ? Math.round((s.frameWidth / s.frameHeight) * 100) / 100 : 0;
}

/** The page keeps decoding: its frame count rises by more than 10. */
async function keepsDecoding(page: Page): Promise<void> {
  const first = (await stats(page)).framesDecoded;
  await expect.poll(async () => (await stats(page)).framesDecoded, { timeout: 15_000 }).toBeGreaterThan(first + 10);
}

/**
 * Issue 12, screen sharing: Chromium's fake display capture (the normal browser flags give a 1280×720 "screen"
 * without a picker, headless too) shared in a video call (replaceTrack over the camera) and in an audio-only call
 * (a track added by renegotiation); the other side decodes it, and stopping brings the camera back / removes it.
 */
describe('screen sharing in a call, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let roomId = 0;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-screen-share') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
    await alice.page.goto(`${instance.url}/create/direct`);
    await alice.page.getByLabel('Find a user').fill(bob.name);
    await alice.page.getByRole('button', { name: new RegExp(bob.name) }).click();
    await alice.page.waitForURL(/\/chat\/\d+$/);
    roomId = Number(/\/chat\/(\d+)$/.exec(alice.page.url())?.[1]);
    await bob.page.locator(`nav a[data-room-id="${roomId}"]`).click();
    await bob.page.waitForURL(new RegExp(`/chat/${roomId}$`));
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  async function call(video: boolean): Promise<void> {
    await alice.page.getByRole('button', { name: video ? 'Start video call' : 'Start audio call' }).click();
    const dialog = bob.page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: video ? 'Answer with video' : 'Answer', exact: true }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor();
      await expect.poll(async () => (await stats(page))?.connectionState, { timeout: 30_000 }).toBe('connected');
    }
  }

  async function hangUp(): Promise<void> {
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
    }
  }

  it("video call: alice's screen replaces her camera on bob's side, and her camera comes back when she stops", async () => {
    await call(true);
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.33);

    await alice.page.getByRole('button', { name: 'Share the screen' }).click();
    await alice.page.getByTestId('call-own-screen').locator('video').waitFor({ state: 'visible' });
    // Her own preview of what she shares plays (its frames have a size).
    await expect
      .poll(() =>
        alice.page.evaluate(
          () => (document.querySelector('[data-testid="call-own-screen"] video') as HTMLVideoElement).videoWidth,
        ),
      )
      .toBeGreaterThan(0);
    // The same received track now carries 16:9 frames (replaceTrack: no new track, no renegotiation).
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.78);
    await keepsDecoding(bob.page);
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'visible' });
    // Captured by the browser itself: no mention of the extension.
    expect(await alice.page.getByTestId('call-screen-via').count()).toBe(0);
    if (process.env.E2E_SCREENSHOTS) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-screen-share-alice.png') });
      await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-screen-share-bob.png') });
    }

    await alice.page.getByRole('button', { name: 'Stop sharing the screen' }).click();
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.33);
    await keepsDecoding(bob.page);
    await alice.page.getByTestId('call-own-screen').waitFor({ state: 'detached' });
    await hangUp();
  });

  it('audio-only call: sharing adds a video track that bob decodes and sees, stopping takes it away', async () => {
    await call(false);
    expect((await stats(bob.page)).framesDecoded).toBe(0);
    await expect(bob.page.locator('[data-testid="call-tile"] video').isVisible()).resolves.toBe(false);

    await alice.page.getByRole('button', { name: 'Share the screen' }).click();
    await expect.poll(() => aspect(bob.page), { timeout: 30_000 }).toBe(1.78);
    await keepsDecoding(bob.page);
    // Alice's camera is off (she has none in this call), yet bob's tile shows her screen.
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'visible' });

    await alice.page.getByRole('button', { name: 'Stop sharing the screen' }).click();
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'hidden' });
    // The call goes on with voice only.
    expect((await stats(bob.page)).connectionState).toBe('connected');
    await hangUp();
  });
});
