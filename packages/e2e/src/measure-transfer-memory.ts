import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  launchSharedBrowser,
  loopbackTurnEnv,
  newBrowserUser,
  openDirectRoom,
  SCREENSHOT_DIR,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/**
 * The receiver's memory during a large P2P transfer (docs/performance.md "P2P file transfer"): bob's JS heap
 * (`performance.memory`, precise) and the resident set of his Chromium's processes (/proc, pids from CDP
 * `SystemInfo.getProcessInfo`), sampled through the transfer. Bob has a Chromium of his own, so its renderer is
 * his page's. Direct pair (the receiver's path is the same through TURN, only slower).
 * Not part of the suites: `E2E_MEASURE=1 unshare -n sh -c 'ip link set lo up && exec npx vitest run
 * src/measure-transfer-memory.ts'` in packages/e2e; E2E_MEASURE_MB sets the size (default 1024).
 */
const MB = Number(process.env.E2E_MEASURE_MB ?? 1024);
const BYTES = MB * 1024 * 1024;

interface Sample {
  t: number;
  bytes: number;
  heapMB: number;
  rendererRssMB: number;
  /** The browser process: OPFS writes go through its storage service. */
  browserRssMB: number;
  /** Proportional set size of all of bob's Chromium processes (shared pages split, not counted per process). */
  allPssMB: number;
}

/** A field of /proc/<pid>/status (VmRSS) or smaps_rollup (Pss), in MB; 0 for a process that is gone. */
function procMB(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const line = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

describe(`receiver memory during a ${MB} MB P2P transfer`, () => {
  let instance: Instance;
  let aliceBrowser: Browser;
  let bobBrowser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let bobCdp: CDPSession;
  let filePath: string;
  const samples: Sample[] = [];

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('measure-memory'), ...(await loopbackTurnEnv()) });
    aliceBrowser = await launchSharedBrowser();
    // A profile on disk, as a real user has: Playwright's `newContext()` is off the record, where Chromium keeps
    // the Origin Private File System in memory (the browser process then grows by the file's size).
    const bobContext = await chromium.launchPersistentContext(tempDir('measure-memory-profile'), {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
      viewport: { width: 1200, height: 800 },
    });
    bobBrowser = bobContext.browser()!;
    alice = await newBrowserUser(aliceBrowser, uniqueName('alice'), false);
    bob = { context: bobContext, page: bobContext.pages()[0] ?? (await bobContext.newPage()), name: uniqueName('bob') };
    bobCdp = await bobBrowser.newBrowserCDPSession();
    filePath = join(tempDir('measure-memory-file'), 'big.bin');
    // Written in slices: the test process need not hold the whole file either.
    const fd = openSync(filePath, 'w');
    for (let left = BYTES; left > 0; left -= 64 * 1024 * 1024) {
      writeSync(fd, randomBytes(Math.min(left, 64 * 1024 * 1024)));
    }
    closeSync(fd);
  }, 300_000);

  afterAll(async () => {
    await aliceBrowser?.close();
    await bob?.context.close();
    await instance?.kill();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'transfer-memory.json'), JSON.stringify(samples, null, 2));
  });

  async function sample(bytes: number, t0: number): Promise<Sample> {
    const { processInfo } = (await bobCdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; id: number }[];
    };
    const rss = (type: string) =>
      Math.max(0, ...processInfo.filter((p) => p.type === type).map((p) => procMB(p.id, 'status', 'VmRSS')));
    const heap = await bob.page.evaluate(
      () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
    );
    return {
      t: (Date.now() - t0) / 1000,
      bytes,
      heapMB: heap / 1e6,
      rendererRssMB: rss('renderer'),
      browserRssMB: rss('browser'),
      allPssMB: processInfo.reduce((sum, p) => sum + procMB(p.id, 'smaps_rollup', 'Pss'), 0),
    };
  }

  it('signs up two users in a direct room', async () => {
    expect(await openDirectRoom(instance.url, alice, bob)).toBeGreaterThan(1);
  });

  it('samples bob while he receives the file', async () => {
    const t0 = Date.now();
    await alice.page.getByTestId('direct-file-input').setInputFiles(filePath);
    const entry = bob.page.getByTestId('transfer-incoming').last();
    await entry.getByRole('button', { name: 'Accept' }).waitFor({ timeout: 600_000 });
    const before = await sample(0, t0);
    samples.push(before);
    await entry.getByRole('button', { name: 'Accept' }).click();
    const bar = entry.locator('progress');
    const status = entry.getByTestId('transfer-status');
    let receivingAt = 0;
    let verifyingAt = 0;
    for (;;) {
      const text = (await status.textContent()) ?? '';
      if (text === 'receiving' && receivingAt === 0) {
        receivingAt = Date.now();
      }
      if (text === 'verifying' && verifyingAt === 0) {
        verifyingAt = Date.now();
      }
      if (text.startsWith('received')) {
        break;
      }
      expect(['connecting', 'receiving', 'verifying'].includes(text) || text.includes('sends you')).toBe(true);
      samples.push(await sample(Number(await bar.getAttribute('value')) || 0, t0));
      await new Promise((r) => setTimeout(r, 1000));
    }
    samples.push(await sample(BYTES, t0));
    const during = samples.slice(1);
    const peak = (key: 'heapMB' | 'rendererRssMB' | 'browserRssMB' | 'allPssMB') =>
      Math.max(...during.map((s) => s[key]));
    const summary = {
      MB,
      seconds: (verifyingAt - receivingAt) / 1000,
      samples: samples.length,
      before: before,
      peakHeapMB: peak('heapMB'),
      peakRendererRssMB: peak('rendererRssMB'),
      peakBrowserRssMB: peak('browserRssMB'),
      peakAllPssMB: peak('allPssMB'),
      after: samples.at(-1),
    };
    console.info(JSON.stringify(summary, null, 1));
    // Bounded: nothing near the file's size stays in bob's renderer.
    expect(summary.peakRendererRssMB).toBeLessThan(before.rendererRssMB + 256);
  }, 1_800_000);
});
