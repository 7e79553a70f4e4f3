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
 * Delivery time of a chat message, alice's Enter to the message in bob's DOM, in the same run: over the server
 * (the "all" room: WebSocket → Pychat → WebSocket), over a p2p room's data channel on a direct pair, and through
 * the bundled TURN (docs/performance.md "P2P rooms"). Both pages run on one machine, so their clocks are one.
 * Not part of the suites: `E2E_MEASURE=1 unshare -n sh -c 'ip link set lo up && exec npx vitest run
 * src/measure-p2p-room.ts'` in packages/e2e; E2E_MEASURE_N messages per path (default 30).
 */
const N = Number(process.env.E2E_MEASURE_N ?? 30);

type P2pWindow = Window & { __pychatP2p: { openChannels(roomId?: number): number } };
type ClockWindow = Window & { __sentAt: number[]; __seen: Map<string, number> };

interface Row {
  path: string;
  n: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
}

describe('p2p room message delivery against the server path', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let roomId = 0;
  const rows: Row[] = [];

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('measure-p2p'), ...(await loopbackTurnEnv()) });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), true);
    bob = await newBrowserUser(browser, uniqueName('bob'), true);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'p2p-room-latency.json'), JSON.stringify(rows, null, 2));
    console.table(rows);
  });

  /** Stamps alice's Enter and the moment each text appears in bob's DOM, both inside the pages. */
  async function installClocks(): Promise<void> {
    await alice.page.evaluate(() => {
      const w = window as unknown as ClockWindow;
      w.__sentAt = [];
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'Enter') {
            w.__sentAt.push(Date.now());
          }
        },
        true,
      );
    });
    await bob.page.evaluate(() => {
      const w = window as unknown as ClockWindow;
      w.__seen = new Map();
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('main article.msg .content')) {
          const text = el.textContent?.trim() ?? '';
          if (text.startsWith('ping-') && !w.__seen.has(text)) {
            w.__seen.set(text, Date.now());
          }
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }

  async function measure(path: string): Promise<void> {
    await installClocks();
    const composer = alice.page.locator('main .composer textarea');
    const tag = path.replace(/\W+/g, '');
    const ms: number[] = [];
    for (let i = 0; i < N; i++) {
      const text = `ping-${tag}-${i}`;
      await composer.fill(text);
      await composer.press('Enter');
      await bob.page.locator('main article.msg', { hasText: text }).waitFor();
      const seenAt = await bob.page.evaluate((t) => (window as unknown as ClockWindow).__seen.get(t) ?? 0, text);
      const sentAt = await alice.page.evaluate(() => (window as unknown as ClockWindow).__sentAt.at(-1) ?? 0);
      expect(seenAt).toBeGreaterThan(0);
      ms.push(seenAt - sentAt);
      // A pause between messages: one at a time, as people type, not a queue.
      await new Promise((r) => setTimeout(r, 200));
    }
    const sorted = [...ms].sort((a, b) => a - b);
    rows.push({
      path,
      n: N,
      medianMs: sorted[Math.floor(N / 2)]!,
      p90Ms: sorted[Math.floor(N * 0.9)]!,
      maxMs: sorted[N - 1]!,
    });
  }

  function openChannels(page: Page): Promise<number> {
    return page.evaluate((id) => (window as unknown as P2pWindow).__pychatP2p.openChannels(id), roomId);
  }

  it('signs up two users, in a direct room switched to p2p', async () => {
    roomId = await openDirectRoom(instance.url, alice, bob);
    await alice.page.goto(`${instance.url}/room/${roomId}/settings`);
    const toggle = alice.page.getByRole('switch', { name: /Peer-to-peer/ });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
  }, 120_000);

  it('measures the server path, then the data channel direct and relayed', async () => {
    for (const page of [alice.page, bob.page]) {
      await page.goto(`${instance.url}/chat/1`);
      await page.locator('main .composer textarea').waitFor();
    }
    await measure('server (WebSocket, "all" room)');

    for (const policy of ['all', 'relay'] as const) {
      for (const page of [alice.page, bob.page]) {
        await page.evaluate((p) => localStorage.setItem('pychat.iceTransportPolicy', p), policy);
        await page.goto(`${instance.url}/chat/${roomId}`);
      }
      for (const page of [alice.page, bob.page]) {
        await expect.poll(() => openChannels(page), { timeout: 60_000 }).toBe(1);
      }
      await measure(policy === 'all' ? 'p2p data channel, direct (host pair)' : 'p2p data channel, bundled TURN');
    }
    expect(rows).toHaveLength(3);
  }, 600_000);
});
