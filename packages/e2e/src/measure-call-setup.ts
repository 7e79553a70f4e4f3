import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  loopbackTurnEnv,
  newBrowserUser,
  openDirectRoom,
  SCREENSHOT_DIR,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/**
 * Call setup time: from bob's click on "Answer with video" to the first decoded frame of alice's video in bob's
 * tile (`loadeddata` on the remote <video>), both read from bob's own clock. E2E_MEASURE_CALLS calls (default 20)
 * direct, then as many relayed through the bundled TURN, in one run (docs/performance.md "Call setup").
 * Not part of the suites: `E2E_MEASURE=1 unshare -n sh -c 'ip link set lo up && exec npx vitest run
 * src/measure-call-setup.ts'` in packages/e2e.
 */
const CALLS = Number(process.env.E2E_MEASURE_CALLS ?? 20);

type SetupWindow = Window & { __setup: { answeredAt: number; firstFrameAt: number } };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe(`call setup, ${CALLS} calls direct and ${CALLS} relayed`, () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const results: Record<string, number[]> = { direct: [], relay: [] };

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('measure-calls'), ...(await loopbackTurnEnv()) });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    await bob.context.addInitScript(() => {
      const w = window as unknown as SetupWindow;
      w.__setup = { answeredAt: 0, firstFrameAt: 0 };
      document.addEventListener(
        'click',
        (event) => {
          const button = (event.target as Element | null)?.closest?.('button');
          if (button?.textContent?.includes('Answer with video')) {
            w.__setup = { answeredAt: performance.now(), firstFrameAt: 0 };
          }
        },
        true,
      );
      // Media events do not bubble, but a capturing listener on the document sees them.
      document.addEventListener(
        'loadeddata',
        (event) => {
          const target = event.target as Element;
          if (target.closest?.('[data-testid="call-tile"]') && w.__setup.answeredAt && !w.__setup.firstFrameAt) {
            w.__setup.firstFrameAt = performance.now();
          }
        },
        true,
      );
    });
    await openDirectRoom(instance.url, alice, bob);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    const rows = Object.entries(results).map(([path, ms]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return {
        path,
        calls: sorted.length,
        p50: Math.round(percentile(sorted, 50)),
        p95: Math.round(percentile(sorted, 95)),
        min: Math.round(sorted[0]),
        max: Math.round(sorted[sorted.length - 1]),
      };
    });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'call-setup.json'), JSON.stringify({ rows, results }, null, 2));
    console.table(rows);
  });

  async function oneCall(): Promise<number> {
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    const dialog = bob.page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Answer with video' }).click();
    const setup = () => bob.page.evaluate(() => (window as unknown as SetupWindow).__setup);
    await expect.poll(async () => (await setup()).firstFrameAt, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    const { answeredAt, firstFrameAt } = await setup();
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
    }
    await alice.page.getByRole('button', { name: 'Start video call' }).waitFor();
    return firstFrameAt - answeredAt;
  }

  async function setPolicy(page: Page, policy: 'relay' | 'all'): Promise<void> {
    await page.evaluate((p) => localStorage.setItem('pychat.iceTransportPolicy', p), policy);
  }

  it.each(['direct', 'relay'] as const)(
    'measures %s calls',
    async (path) => {
      for (const page of [alice.page, bob.page]) {
        await setPolicy(page, path === 'relay' ? 'relay' : 'all');
      }
      for (let i = 0; i < CALLS; i += 1) {
        results[path].push(await oneCall());
      }
      expect(results[path]).toHaveLength(CALLS);
    },
    600_000,
  );
});
