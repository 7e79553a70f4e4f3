import { randomBytes } from 'node:crypto';
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
 * Throughput of a P2P file transfer, direct and through the bundled TURN, beside a bare two-page RTCDataChannel
 * (same chunk size and flow control, bytes discarded) in the same run (docs/performance.md "P2P file transfer").
 * Not part of the suites: `E2E_MEASURE=1 unshare -n sh -c 'ip link set lo up && exec npx vitest run src/measure-transfer.ts'`
 * in packages/e2e; E2E_MEASURE_MB sets the size (default 100).
 */
const MB = Number(process.env.E2E_MEASURE_MB ?? 100);
const BYTES = MB * 1024 * 1024;

type MeasureWindow = Window & {
  __pychatTransfers: { candidateTypes(): string[] };
  __bench: {
    pc: RTCPeerConnection;
    received: Promise<number>;
  };
};

interface Row {
  path: string;
  mode: 'direct' | 'relay';
  seconds: number;
  mbPerS: number;
  candidate: string;
  extra?: string;
}

describe(`P2P transfer throughput, ${MB} MB`, () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let filePath: string;
  const rows: Row[] = [];

  beforeAll(async () => {
    instance = await startInstance({
      PYCHAT_DATA_DIR: tempDir('measure-transfer'),
      ...(await loopbackTurnEnv()),
    });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    filePath = join(tempDir('measure-file'), 'big.bin');
    writeFileSync(filePath, randomBytes(BYTES));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'transfer-throughput.json'), JSON.stringify(rows, null, 2));
    console.table(rows);
  });

  async function setPolicy(policy: 'relay' | 'all') {
    for (const page of [alice.page, bob.page]) {
      await page.evaluate((p) => localStorage.setItem('pychat.iceTransportPolicy', p), policy);
    }
  }

  /** A bare data channel between the two pages: the same 64 KiB chunks and low-water flow control. */
  async function bare(mode: 'direct' | 'relay'): Promise<void> {
    const config = async (page: Page) =>
      page.evaluate(async (relay) => {
        if (!relay) {
          return { iceServers: [] };
        }
        const { iceServers } = (await (await fetch('/api/ice-servers')).json()) as { iceServers: RTCIceServer[] };
        return { iceServers, iceTransportPolicy: 'relay' as const };
      }, mode === 'relay');
    const offer = await alice.page.evaluate(
      async (cfg) => {
        const pc = new RTCPeerConnection(cfg);
        const channel = pc.createDataChannel('bench', { ordered: true });
        (window as unknown as MeasureWindow).__bench = { pc, received: Promise.resolve(0) };
        (window as unknown as { __channel: RTCDataChannel }).__channel = channel;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((r) => {
          if (pc.iceGatheringState === 'complete') {
            r();
          }
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
        });
        return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
      },
      await config(alice.page),
    );
    const answer = await bob.page.evaluate(
      async ({ cfg, offer, total }) => {
        const pc = new RTCPeerConnection(cfg);
        const received = new Promise<number>((resolve) => {
          pc.ondatachannel = ({ channel }) => {
            channel.binaryType = 'arraybuffer';
            let bytes = 0;
            let start = 0;
            channel.onmessage = (e: MessageEvent<ArrayBuffer>) => {
              if (bytes === 0) {
                start = performance.now();
              }
              bytes += e.data.byteLength;
              if (bytes >= total) {
                resolve(performance.now() - start);
              }
            };
          };
        });
        (window as unknown as MeasureWindow).__bench = { pc, received };
        await pc.setRemoteDescription(offer);
        await pc.setLocalDescription(await pc.createAnswer());
        await new Promise<void>((r) => {
          if (pc.iceGatheringState === 'complete') {
            r();
          }
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
        });
        return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
      },
      { cfg: await config(bob.page), offer, total: BYTES },
    );
    const started = Date.now();
    const candidate = await alice.page.evaluate(
      async ({ answer, total }) => {
        const w = window as unknown as MeasureWindow & { __channel: RTCDataChannel };
        await w.__bench.pc.setRemoteDescription(answer);
        const channel = w.__channel;
        await new Promise<void>((r) => (channel.readyState === 'open' ? r() : (channel.onopen = () => r())));
        channel.bufferedAmountLowThreshold = 1024 * 1024;
        const chunk = new Uint8Array(64 * 1024);
        for (let sent = 0; sent < total; sent += chunk.byteLength) {
          if (channel.bufferedAmount > 4 * 1024 * 1024) {
            await new Promise<void>((r) => (channel.onbufferedamountlow = () => r()));
          }
          channel.send(chunk);
        }
        const stats = await w.__bench.pc.getStats();
        let type = 'unknown';
        stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
          if (r.type === 'transport' && r.selectedCandidatePairId) {
            const pair = stats.get(r.selectedCandidatePairId) as { localCandidateId: string };
            type = (stats.get(pair.localCandidateId) as { candidateType: string }).candidateType;
          }
        });
        return type;
      },
      { answer, total: BYTES },
    );
    const ms = await bob.page.evaluate(() => (window as unknown as MeasureWindow).__bench.received);
    void started;
    for (const page of [alice.page, bob.page]) {
      await page.evaluate(() => (window as unknown as MeasureWindow).__bench.pc.close());
    }
    rows.push({ path: 'bare RTCDataChannel', mode, seconds: ms / 1000, mbPerS: MB / (ms / 1000), candidate });
  }

  /** Pychat's own path: offer (SHA-256 first), accept, send into OPFS, verify. */
  async function app(mode: 'direct' | 'relay'): Promise<void> {
    await setPolicy(mode === 'relay' ? 'relay' : 'all');
    const offered = Date.now();
    await alice.page.getByTestId('direct-file-input').setInputFiles(filePath);
    const entry = bob.page.getByTestId('transfer-incoming').last();
    await entry.getByRole('button', { name: 'Accept' }).waitFor({ timeout: 120_000 });
    const hashS = (Date.now() - offered) / 1000;
    const cdp = await bob.context.newCDPSession(bob.page);
    await cdp.send('Performance.enable');
    let peakHeap = 0;
    const status = entry.getByTestId('transfer-status');
    await entry.getByRole('button', { name: 'Accept' }).click();
    let receivingAt = 0;
    let verifyingAt = 0;
    for (;;) {
      const text = (await status.textContent()) ?? '';
      const now = Date.now();
      if (text === 'receiving' && receivingAt === 0) {
        receivingAt = now;
      }
      if (text === 'verifying' && verifyingAt === 0) {
        verifyingAt = now;
      }
      if (text.startsWith('received')) {
        break;
      }
      // Just after the click the entry may still show the offer.
      expect(text.includes('sends you') || ['connecting', 'receiving', 'verifying'].includes(text)).toBe(true);
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      peakHeap = Math.max(peakHeap, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
      if (receivingAt !== 0 && verifyingAt === 0 && now - receivingAt > 500 && now - receivingAt < 1500) {
        await alice.page.screenshot({ path: join(SCREENSHOT_DIR, `transfer-${mode}-alice.png`) });
        await bob.page.screenshot({ path: join(SCREENSHOT_DIR, `transfer-${mode}-bob.png`) });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const verifiedAt = Date.now();
    const seconds = (verifyingAt - receivingAt) / 1000;
    const types = await alice.page.evaluate(() =>
      (window as unknown as MeasureWindow).__pychatTransfers.candidateTypes(),
    );
    rows.push({
      path: 'Pychat transfer (OPFS)',
      mode,
      seconds,
      mbPerS: MB / seconds,
      candidate: types.at(-1) ?? 'unknown',
      extra: `sender SHA-256 ${hashS.toFixed(1)} s, receiver verify ${((verifiedAt - verifyingAt) / 1000).toFixed(1)} s, bob JS heap peak ${(peakHeap / 1e6).toFixed(0)} MB`,
    });
    await entry.getByRole('button', { name: 'Dismiss' }).click();
  }

  it('signs up two users in a direct room', async () => {
    expect(await openDirectRoom(instance.url, alice, bob)).toBeGreaterThan(1);
  });

  it('measures bare and Pychat transfers, direct and relayed', async () => {
    await bare('direct');
    await bare('relay');
    await app('direct');
    await app('relay');
    expect(rows).toHaveLength(4);
  }, 900_000);
});
