import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { PROTOCOL_VERSION } from '@pychat/protocol/constants';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/** Runs inside `unshare -n` (see scripts/test.sh): the browser and the server share a private loopback. */
describe('in Chromium', () => {
  let instance: Instance;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('browser') });
    browser = await launchBrowser();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) {
      const dir = join(__dirname, '../../../test-results');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${context.task.name.replace(/\W+/g, '-')}.png`) });
    }
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('serves the installable web app: a new visitor lands on sign-in, with a manifest and a service worker', async () => {
    page = await browser.newPage();
    await page.goto(instance.url);
    await page.waitForURL(/\/login/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href') ?? '';
      return (await fetch(href)).json() as Promise<{ display: string; icons: { sizes: string }[] }>;
    });
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${instance.url}/`);
  });

  it('signs up with a cookie session and chats over a same-origin WebSocket', async () => {
    page = await browser.newPage();
    await page.goto(instance.url);
    const username = uniqueName('web');
    const args = { name: username, version: PROTOCOL_VERSION };
    const result = await page.evaluate(async ({ name, version }) => {
      const signUp = await fetch('/api/auth/sign-up', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name, password: 'browser-pw' }),
      });
      // The httpOnly cookie is invisible to scripts but rides along on the WebSocket upgrade.
      const cookieVisible = document.cookie.includes('pychat_session');
      const ws = new WebSocket(`ws://${location.host}/ws?v=${version}`);
      const frames: { type: string; data: { message?: { content: string } } }[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.onerror = () => reject(new Error('ws error'));
        ws.onmessage = (event) => {
          const frame = JSON.parse(event.data as string) as (typeof frames)[number];
          frames.push(frame);
          if (frame.type === 'session.ready') {
            ws.send(
              JSON.stringify({
                type: 'message.send',
                id: 1,
                data: { roomId: 1, content: 'from chromium', localId: 'b1' },
              }),
            );
          }
          // The reply comes once the row is committed; the fan-out copy may arrive before or after it.
          if (frame.type === 'reply' && frames.some((f) => f.type === 'message.new')) {
            resolve();
          }
          if (frame.type === 'message.new' && frames.some((f) => f.type === 'reply')) {
            resolve();
          }
        };
      });
      ws.close();
      return { status: signUp.status, cookieVisible, types: frames.map((f) => f.type) };
    }, args);
    expect(result.status).toBe(201);
    expect(result.cookieVisible).toBe(false);
    expect(result.types[0]).toBe('session.ready');
    expect(result.types).toContain('message.new');
    expect(result.types).toContain('reply');
  });
});
