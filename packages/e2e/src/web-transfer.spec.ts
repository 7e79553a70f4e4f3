import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
/**
 * The resume case: big enough to cut mid-way at relay speed. The bundled TURN relays ~1.5 MB/s on this machine
 * (docs/performance.md), so the 50 MB would take over half a minute per run.
 */
const BIG_BYTES = 20 * 1024 * 1024;

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
 * Issue 13, P2P file transfer: alice offers a 5 MB file in a direct room, bob accepts, the bytes go over an
 * RTCDataChannel relayed by the bundled TURN (`pychat.iceTransportPolicy = relay`) into bob's Origin Private File
 * System; the SHA-256 is checked before Save; nothing of the file reaches the server.
 */
describe('a direct file transfer in Chromium through the bundled TURN', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
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
  });

  it('offers the file to bob, who sees its name and size with Accept and Decline', async () => {
    await alice.page
      .getByTestId('direct-file-input')
      .setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: file });
    await alice.page.getByTestId('transfer-outgoing').getByText('Waiting for someone to accept').waitFor();
    const incoming = bob.page.getByTestId('transfer-incoming');
    await incoming.getByText('report.bin').waitFor();
    expect(await incoming.textContent()).toContain('5.2 MB');
    expect(await incoming.textContent()).toContain(`${alice.name} sends you a file directly`);
    await incoming.getByRole('button', { name: 'Decline' }).waitFor();
  });

  it('sends it over a relayed data channel when bob accepts; both sides reach 100 %', async () => {
    await bob.page.getByTestId('transfer-incoming').getByRole('button', { name: 'Accept' }).click();

    const incoming = bob.page.getByTestId('transfer-incoming');
    await incoming.getByText('received, SHA-256 verified').waitFor({ timeout: 60_000 });
    expect(await incoming.getByTestId('transfer-progress').textContent()).toBe('100 %');
    const row = alice.page.getByTestId('transfer-peer');
    await row.getByTestId('transfer-status').getByText('finished').waitFor();
    expect(await row.getByTestId('transfer-progress').textContent()).toBe('100 %');
    expect(await row.textContent()).toContain(bob.name);
    // Relay-only: the one link alice sent over was a TURN allocation of the bundled server.
    expect(
      await alice.page.evaluate(() => (window as unknown as TransferWindow).__pychatTransfers.candidateTypes()),
    ).toEqual(['relay']);
    for (const page of [alice.page, bob.page]) {
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

  it("offers 20 MB to bob's two tabs: one declines, the other is cut off mid-way and resumes from its offset", async () => {
    const big = randomBytes(BIG_BYTES);
    const path = join(tempDir('web-transfer-big'), 'big.bin');
    writeFileSync(path, big);
    const bobTab = await bob.context.newPage();
    await bobTab.goto(bob.page.url());
    await bobTab.getByRole('button', { name: 'Send a file directly' }).waitFor();
    const entry = (page: Page) => page.getByTestId('transfer-incoming').filter({ hasText: 'big.bin' });

    await alice.page.getByTestId('direct-file-input').setInputFiles(path);
    await entry(bobTab).getByRole('button', { name: 'Decline' }).click();
    await entry(bob.page).getByRole('button', { name: 'Accept' }).click();
    const outgoing = alice.page.getByTestId('transfer-outgoing').filter({ hasText: 'big.bin' });
    await outgoing.getByTestId('transfer-peer').filter({ hasText: 'declined' }).waitFor();

    const progress = entry(bob.page).getByTestId('transfer-progress');
    const percent = async () => parseInt((await progress.textContent()) ?? '0', 10);
    await expect.poll(percent, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(15);
    await bob.page.evaluate(() => (window as unknown as TransferWindow).__pychatTransfers.dropConnections());
    await entry(bob.page).getByTestId('transfer-status').getByText('interrupted').waitFor();
    await outgoing.getByTestId('transfer-peer').filter({ hasText: 'failed' }).waitFor();
    const cutAt = await percent();
    expect(cutAt).toBeGreaterThanOrEqual(15);
    expect(cutAt).toBeLessThan(100);

    await entry(bob.page).getByRole('button', { name: 'Retry' }).click();
    await entry(bob.page).getByText('received, SHA-256 verified').waitFor({ timeout: 120_000 });
    // Alice got two accepts for it (the 5 MB file's came first): from 0, then from at least what bob had shown.
    const offsets = await alice.page.evaluate(() =>
      (window as unknown as TransferWindow).__pychatTransfers.acceptedOffsets(),
    );
    expect(offsets.slice(1)).toHaveLength(2);
    expect(offsets[1]).toBe(0);
    expect(offsets[2]).toBeGreaterThanOrEqual(Math.floor((cutAt / 100) * BIG_BYTES));
    await outgoing.getByTestId('transfer-peer').filter({ hasText: 'finished' }).waitFor();
    const download = bob.page.waitForEvent('download');
    await entry(bob.page).getByRole('button', { name: 'Save' }).click();
    const saved = readFileSync(await (await download).path());
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    await bobTab.close();
  }, 180_000);
});
