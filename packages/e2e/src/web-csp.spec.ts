import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchSharedBrowser } from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

declare global {
  interface Window {
    cspViolations?: Violation[];
    injected?: string;
  }
}

const RESULTS = join(__dirname, '../../../test-results');

/**
 * The production build under the server's Content-Security-Policy (runs inside `unshare -n`, see
 * scripts/run-suites.mjs): the app works without a single violation, and script that an attacker manages to
 * put into the page does not run.
 */
describe('the web app under its Content-Security-Policy, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** CSP complaints Chromium prints ("Refused to …") and uncaught page errors. */
  const complaints: string[] = [];

  function violations(): Promise<Violation[]> {
    return page.evaluate(() => window.cspViolations ?? []);
  }

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('csp') });
    browser = await launchSharedBrowser();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    // Init scripts come through the DevTools protocol, which the page's CSP does not govern.
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations?.push({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          sample: event.sample,
        });
      });
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) {
        complaints.push(message.text());
      }
    });
    page.on('pageerror', (error) => complaints.push(`pageerror: ${error.message}`));
  });

  afterEach(async (task) => {
    if (task.task.result?.state === 'fail') {
      mkdirSync(RESULTS, { recursive: true });
      await page?.screenshot({ path: join(RESULTS, `csp-${task.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`) });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('serves the app shell with the policy, and the app signs up, chats and installs its service worker without a violation', async () => {
    const response = await page.goto(`${instance.url}/sign-up`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");

    await page.getByLabel('Username').fill(uniqueName('csp'));
    await page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await page.getByLabel('Repeat password').fill('browser-pw');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/chat\/1$/);

    const composer = page.locator('main .composer textarea');
    await composer.fill('hello under a strict policy `code` and **bold**');
    await composer.press('Enter');
    // Confirmed by the server over the WebSocket (it carries an id then).
    await page.locator('main article.msg[data-message-id]', { hasText: 'hello under a strict policy' }).waitFor();
    await composer.fill('```js\nconst highlighted = true;\n```');
    await composer.press('Enter');
    await page.locator('main article.msg[data-message-id] code.hljs').waitFor();

    // The service worker registered and precached the app (its importScripts ran under the policy too).
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const names = await caches.keys();
      let entries = 0;
      for (const name of names) {
        entries += (await (await caches.open(name)).keys()).length;
      }
      return entries;
    });
    expect(cached).toBeGreaterThan(0);

    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'csp-chat.png') });
    expect(await violations()).toEqual([]);
    expect(complaints).toEqual([]);
  });

  it('blocks an injected inline script and an inline event handler, and reports both', async () => {
    // What an XSS would do with a hole in the message renderer: markup with inline script, as the page's own
    // code inserts it (the test's own evaluate is exempt from CSP; these elements are not).
    const injected = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = "script";';
      document.body.appendChild(script);
      const holder = document.createElement('div');
      holder.innerHTML =
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="window.injected = \'handler\'" onload="window.injected = \'handler\'">';
      document.body.appendChild(holder);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return window.injected ?? null;
    });
    expect(injected).toBeNull();
    const directives = (await violations()).map((v) => v.directive);
    expect(directives).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
  });
});
