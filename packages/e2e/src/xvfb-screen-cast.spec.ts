import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  launchSharedBrowser,
  newBrowserUser,
  screenshotsOnFailure,
  SCREENSHOT_DIR,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { freePort, startInstance, tempDir, uniqueName, type Instance } from './stack';

const EXTENSION_SOURCE = resolve(__dirname, '../../../screen_cast_extension');

interface PeerStats {
  connectionState: string;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}
type CallWindow = Window & { __pychatCall: { stats(): Promise<PeerStats[]> } };
type ChromeWindow = Window & {
  chrome?: { runtime?: { sendMessage?(id: string, message: unknown, callback: (reply: unknown) => void): void } };
};

function stats(page: Page): Promise<PeerStats | undefined> {
  return page.evaluate(async () => (await (window as unknown as CallWindow).__pychatCall.stats())[0]);
}

/**
 * Issue 12, screen_cast_extension/: the built extension loaded into Chromium (`--load-extension`), which needs a
 * headed browser (chrome.desktopCapture.chooseDesktopMedia closes a headless one), so this file runs under
 * `xvfb-run` (scripts/run-suites.mjs, E2E_XVFB=1), still inside the loopback-only namespace.
 * `--auto-select-desktop-capture-source` answers the picker.
 */
describe('screen_cast_extension in Chromium under Xvfb', () => {
  let instance: Instance;
  let context: BrowserContext;
  let bobBrowser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let extensionId = '';

  beforeAll(async () => {
    // The site origin goes into the manifest before the server runs: pick its port first.
    const port = await freePort();
    const out = mkdtempSync(join(tmpdir(), 'pychat-extension-'));
    execFileSync('node', [join(EXTENSION_SOURCE, 'build.mjs'), '--origin', `http://127.0.0.1:${port}`, '--out', out]);
    const unpacked = join(out, 'unpacked');
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'pychat-chromium-ext-')), {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: false,
      viewport: { width: 1200, height: 800 },
      args: [
        ...CHROMIUM_ARGS,
        `--disable-extensions-except=${unpacked}`,
        `--load-extension=${unpacked}`,
        '--auto-select-desktop-capture-source=Entire screen',
      ],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    extensionId = new URL(worker.url()).host;
    expect(extensionId).toMatch(/^[a-p]{32}$/);

    instance = await startInstance({
      PYCHAT_PORT: String(port),
      PYCHAT_DATA_DIR: tempDir('xvfb-screen-cast'),
      PYCHAT_SCREEN_CAST_EXTENSION_ID: extensionId,
    });
    // Alice's browser has no getDisplayMedia (as a kiosk or managed browser): the app must fall back.
    await context.addInitScript(() => {
      delete (MediaDevices.prototype as Partial<MediaDevices>).getDisplayMedia;
    });
    alice = { context, page: context.pages()[0] ?? (await context.newPage()), name: uniqueName('alice') };
    bobBrowser = await launchSharedBrowser();
    bob = await newBrowserUser(bobBrowser, uniqueName('bob'), false);
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await context?.close();
    await bobBrowser?.close();
    await instance?.kill();
  });

  it('answers the ping of a page on the configured origin, and is out of reach of any other origin', async () => {
    await alice.page.goto(`${instance.url}/sign-in`);
    const ping = (id: string) =>
      new Promise((done) => {
        const runtime = (window as ChromeWindow).chrome?.runtime;
        if (typeof runtime?.sendMessage !== 'function') {
          done('no chrome.runtime');
          return;
        }
        runtime.sendMessage(id, { type: 'PYCHAT_SCREEN_SHARE_PING' }, (reply) => done(reply));
      });
    expect(await alice.page.evaluate(ping, extensionId)).toEqual({
      type: 'PYCHAT_SCREEN_SHARE_PING',
      data: 'success',
      version: '1.0.0',
    });
    // The same server under another origin (localhost) is not in externally_connectable: Chromium gives it no way in.
    await alice.page.goto(instance.url.replace('127.0.0.1', 'localhost') + '/sign-in');
    expect(await alice.page.evaluate(ping, extensionId)).toBe('no chrome.runtime');
  });

  it('shares the screen through the extension when getDisplayMedia is missing, and bob receives it', async () => {
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
    expect(await alice.page.evaluate(() => typeof navigator.mediaDevices.getDisplayMedia)).toBe('undefined');
    await alice.page.goto(`${instance.url}/create/direct`);
    await alice.page.getByLabel('Find a user').fill(bob.name);
    await alice.page.getByRole('button', { name: new RegExp(bob.name) }).click();
    await alice.page.waitForURL(/\/chat\/\d+$/);
    const roomId = Number(/\/chat\/(\d+)$/.exec(alice.page.url())?.[1]);
    await bob.page.locator(`nav a[data-room-id="${roomId}"]`).click();

    // An audio-only call: the screen is the only video bob can receive.
    await alice.page.getByRole('button', { name: 'Start audio call' }).click();
    await bob.page.getByRole('alertdialog').getByRole('button', { name: 'Answer', exact: true }).click();
    await expect.poll(async () => (await stats(bob.page))?.connectionState, { timeout: 30_000 }).toBe('connected');
    expect((await stats(bob.page))?.framesDecoded).toBe(0);

    await alice.page.getByRole('button', { name: 'Share the screen' }).click();
    await alice.page.getByText('Screen sharing through the Pychat extension').waitFor();
    await expect.poll(async () => (await stats(bob.page))?.framesDecoded ?? 0, { timeout: 30_000 }).toBeGreaterThan(10);
    const first = (await stats(bob.page))?.framesDecoded ?? 0;
    await expect
      .poll(async () => (await stats(bob.page))?.framesDecoded ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(first + 10);
    const received = await stats(bob.page);
    expect(received?.frameWidth).toBeGreaterThan(0);
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'visible' });
    if (process.env.E2E_SCREENSHOTS) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-screen-share-extension.png') });
    }

    await alice.page.getByRole('button', { name: 'Stop sharing the screen' }).click();
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'hidden' });
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
  });
});
