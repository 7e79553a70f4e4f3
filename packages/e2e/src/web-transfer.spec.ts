import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  newRelayOnlyUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  openDirectRoom,
  startRelayStack,
  type BrowserUser,
} from './browser';
import { tempDir, uniqueName, type Instance } from './stack';

type TransferWindow = Window & {
  __pychatTransfers: {
    peerConnections(): number;
    candidateTypes(): string[];
    acceptedOffsets(): number[];
    dropConnections(): void;
  };
};

const FILE_BYTES = 5 * 1024 * 1024;
/** The size, relayed to two tabs at once (~3 MB/s through the bundled TURN on this loaded machine). */
const BIG_BYTES = 50 * 1024 * 1024;
/** Where bob's first tab loses its connection: well inside the file, whatever the machine's speed. */
const CUT_AT = 15 * 1024 * 1024;

type ProgressWindow = Window & {
  __progress: {
    /** Every value each <progress> of the entry showed, by row: 'in' for a receiver, the connId for a sender. */
    seen: Record<string, number[]>;
    cutAt: number;
    stop(): Record<string, number[]>;
  };
};

/**
 * Records, inside the page, every value the progress bars of the transfer of `name` show (sampled every 20 ms, so
 * a slow test process misses none); with `cutAt`, drops this tab's transfer connections (a network failure) once
 * the bar reaches that many bytes.
 */
function recordProgress(page: Page, name: string, cutAt = 0): Promise<void> {
  return page.evaluate(
    ({ name, cutAt }) => {
      const w = window as unknown as ProgressWindow & TransferWindow;
      const seen: Record<string, number[]> = {};
      const timer = setInterval(() => {
        const entry = [...document.querySelectorAll('[data-transfer-id]')].find((e) => e.textContent?.includes(name));
        for (const bar of entry?.querySelectorAll('progress') ?? []) {
          const key = bar.closest('li')?.getAttribute('data-conn-id') ?? 'in';
          const values = (seen[key] ??= []);
          if (values.at(-1) !== bar.value) {
            values.push(bar.value);
          }
          if (cutAt > 0 && w.__progress.cutAt === 0 && bar.value >= cutAt) {
            w.__progress.cutAt = bar.value;
            w.__pychatTransfers.dropConnections();
          }
        }
      }, 20);
      w.__progress = {
        seen,
        cutAt: 0,
        stop: () => {
          clearInterval(timer);
          return seen;
        },
      };
    },
    { name, cutAt },
  );
}

/**
 * A file that shows where it went: random bytes with a marker every 16 KiB, so any chunk of it that reached the
 * server (a frame, a log line, a database row) would carry the marker.
 */
function markedFile(marker: string): Buffer {
  const file = randomBytes(FILE_BYTES);
  for (let at = 0; at + marker.length < FILE_BYTES; at += 16 * 1024) {
    file.write(marker, at, 'latin1');
  }
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Issue 13, P2P file transfer: alice offers a 5 MB file in a direct room, bob's second tab declines, his first
 * accepts, the bytes go over an RTCDataChannel relayed by the bundled TURN (`pychat.iceTransportPolicy = relay`)
 * into bob's Origin Private File System; the SHA-256 is checked before Save; nothing of the file reaches the
 * server. Then 50 MB to both of bob's tabs at once, one of them cut off mid-way and resumed.
 */
describe('a direct file transfer in Chromium through the bundled TURN', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  /** Bob's second tab: another device of his, which gets every offer too. */
  let bobTab: Page;
  let dataDir: string;
  const marker = `P2P-CONTENT-${randomBytes(6).toString('hex')}`;
  const file = markedFile(marker);
  const sha256 = createHash('sha256').update(file).digest('hex');

  function peerConnections(page: Page): Promise<number> {
    return page.evaluate(() => (window as unknown as TransferWindow).__pychatTransfers.peerConnections());
  }

  beforeAll(async () => {
    // Everything the server logs, so the check below covers its most talkative level.
    ({ instance, browser, dataDir } = await startRelayStack('web-transfer', { PYCHAT_LOG_LEVEL: 'debug' }));
    alice = await newRelayOnlyUser(browser, uniqueName('alice'));
    bob = await newRelayOnlyUser(browser, uniqueName('bob'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('opens a direct room between the two users', async () => {
    expect(await openDirectRoom(instance.url, alice, bob)).toBeGreaterThan(1);
    bobTab = await bob.context.newPage();
    await bobTab.goto(bob.page.url());
    await bobTab.getByRole('button', { name: 'Send a file directly' }).waitFor();
  });

  it("offers the file to bob's two tabs, which see its name and size with Accept and Decline; one declines", async () => {
    await alice.page
      .getByTestId('direct-file-input')
      .setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: file });
    await alice.page.getByTestId('transfer-outgoing').getByText('Waiting for someone to accept').waitFor();
    for (const page of [bob.page, bobTab]) {
      const incoming = page.getByTestId('transfer-incoming');
      await incoming.getByText('report.bin').waitFor();
      expect(await incoming.textContent()).toContain('5.2 MB');
      expect(await incoming.textContent()).toContain(`${alice.name} sends you a file directly`);
      await incoming.getByRole('button', { name: 'Decline' }).waitFor();
    }
    await bobTab.getByTestId('transfer-incoming').getByRole('button', { name: 'Decline' }).click();
    const declined = alice.page.getByTestId('transfer-peer').filter({ hasText: 'declined' });
    await declined.waitFor();
    expect(await declined.textContent()).toContain(bob.name);
    expect(await bobTab.getByTestId('transfer-incoming').getByTestId('transfer-status').textContent()).toBe('declined');
  });

  it('sends it over a relayed data channel when bob accepts; both sides reach 100 %', async () => {
    await bob.page.getByTestId('transfer-incoming').getByRole('button', { name: 'Accept' }).click();

    const incoming = bob.page.getByTestId('transfer-incoming');
    await incoming.getByText('received, SHA-256 verified').waitFor({ timeout: 60_000 });
    expect(await incoming.getByTestId('transfer-progress').textContent()).toBe('100 %');
    const row = alice.page.getByTestId('transfer-peer').filter({ hasNotText: 'declined' });
    await row.getByTestId('transfer-status').getByText('finished').waitFor();
    expect(await row.getByTestId('transfer-progress').textContent()).toBe('100 %');
    expect(await row.textContent()).toContain(bob.name);
    // Relay-only: the one link alice sent over was a TURN allocation of the bundled server.
    expect(
      await alice.page.evaluate(() => (window as unknown as TransferWindow).__pychatTransfers.candidateTypes()),
    ).toEqual(['relay']);
    for (const page of [alice.page, bob.page, bobTab]) {
      await expect.poll(() => peerConnections(page)).toBe(0);
    }
  });

  it('saves the very bytes alice sent', async () => {
    const download = bob.page.waitForEvent('download');
    await bob.page.getByTestId('transfer-incoming').getByRole('button', { name: 'Save' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('report.bin');
    const bytes = readFileSync(await saved.path());
    expect(bytes.length).toBe(file.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
  });

  it('leaves nothing of the file in the server database or its logs', () => {
    expect(instance.output.join('')).not.toContain(marker);
    expect(instance.output.join('')).toContain('transfer offered');
    for (const path of filesUnder(dataDir)) {
      expect(readFileSync(path).includes(marker), path).toBe(false);
    }
  });

  it("sends 50 MB to bob's two tabs at once; one is cut off mid-way and resumes from its offset", async () => {
    const big = randomBytes(BIG_BYTES);
    const bigSha = createHash('sha256').update(big).digest('hex');
    // A path, not a buffer: Playwright hands a local file to Chromium by name, nothing crosses CDP.
    const dir = tempDir('web-transfer-big');
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'big.bin');
    writeFileSync(path, big);
    const entry = (page: Page) => page.getByTestId('transfer-incoming').filter({ hasText: 'big.bin' });
    const started = Date.now();

    await alice.page.getByTestId('direct-file-input').setInputFiles(path);
    for (const page of [bob.page, bobTab]) {
      await entry(page).getByRole('button', { name: 'Accept' }).waitFor({ timeout: 60_000 });
    }
    const offeredS = (Date.now() - started) / 1000;
    // The cut comes from inside bob's first tab at a byte count, so a slow test process cannot miss the window.
    await recordProgress(bob.page, 'big.bin', CUT_AT);
    await recordProgress(bobTab, 'big.bin');
    await recordProgress(alice.page, 'big.bin');
    for (const page of [bob.page, bobTab]) {
      await entry(page).getByRole('button', { name: 'Accept' }).click();
    }
    const outgoing = alice.page.getByTestId('transfer-outgoing').filter({ hasText: 'big.bin' });

    await entry(bob.page).getByTestId('transfer-status').getByText('interrupted').waitFor({ timeout: 120_000 });
    const cutAt = await bob.page.evaluate(() => (window as unknown as ProgressWindow).__progress.cutAt);
    expect(cutAt).toBeGreaterThanOrEqual(CUT_AT);
    expect(cutAt).toBeLessThan(BIG_BYTES);
    await outgoing.getByTestId('transfer-peer').filter({ hasText: 'failed' }).waitFor();
    const cutS = (Date.now() - started) / 1000;
    await entry(bob.page).getByRole('button', { name: 'Retry' }).click();

    for (const page of [bobTab, bob.page]) {
      await entry(page).getByText('received, SHA-256 verified').waitFor({ timeout: 180_000 });
    }
    const doneS = (Date.now() - started) / 1000;
    // Alice got three accepts for it after the 5 MB file's: both tabs from 0, then bob's first tab again from at
    // least the bytes it had shown when the connection was cut.
    const offsets = await alice.page.evaluate(() =>
      (window as unknown as TransferWindow).__pychatTransfers.acceptedOffsets(),
    );
    expect(offsets.slice(1)).toEqual([0, 0, expect.any(Number)]);
    expect(offsets[3]).toBeGreaterThanOrEqual(cutAt);
    expect(offsets[3]).toBeLessThan(BIG_BYTES);
    await expect.poll(() => outgoing.getByTestId('transfer-peer').filter({ hasText: 'finished' }).count()).toBe(2);
    expect(
      await alice.page.evaluate(() => (window as unknown as TransferWindow).__pychatTransfers.candidateTypes()),
    ).toEqual(['relay', 'relay', 'relay', 'relay']);

    // Progress was shown on the way, not only at the end: several values between 0 and the size on each side.
    for (const page of [bob.page, bobTab, alice.page]) {
      const seen = await page.evaluate(() => (window as unknown as ProgressWindow).__progress.stop());
      for (const values of Object.values(seen)) {
        expect(values.filter((v) => v > 0 && v < BIG_BYTES).length).toBeGreaterThanOrEqual(3);
        expect(values.at(-1)).toBe(BIG_BYTES);
      }
      expect(Object.keys(seen)).toHaveLength(page === alice.page ? 2 : 1);
    }
    // Bob's first tab went up to the cut, then on from the resume offset, never back to 0.
    const firstTab = Object.values(
      await bob.page.evaluate(() => (window as unknown as ProgressWindow).__progress.seen),
    )[0]!;
    expect(firstTab.slice(firstTab.indexOf(cutAt) + 1).every((v) => v >= cutAt)).toBe(true);

    for (const page of [bob.page, bobTab]) {
      const download = page.waitForEvent('download');
      await entry(page).getByRole('button', { name: 'Save' }).click();
      const saved = readFileSync(await (await download).path());
      expect(saved.length).toBe(BIG_BYTES);
      expect(createHash('sha256').update(saved).digest('hex')).toBe(bigSha);
    }
    console.info(
      `50 MB relayed to two tabs: offered after ${offeredS} s, cut at ${cutAt} bytes after ${cutS} s, both verified after ${doneS} s`,
    );
  }, 300_000);
});
