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
 * direct, then as many relayed through the bundled TURN, in one run (docs/performance.md "Call setup"). The
 * baseline, in the same run: a bare RTCPeerConnection between the same two pages, signalled by the test itself
 * (bob's offer to alice's answer, candidates gathered first), from bob's createOffer to the first frame.
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
  const results: Record<string, number[]> = { 'bare direct': [], direct: [], 'bare relay': [], relay: [] };

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

  /** One bare connection: alice already holds her camera (as in a call she started), bob offers, alice answers. */
  async function oneBare(relay: boolean): Promise<number> {
    const config = await bob.page.evaluate(async (withTurn) => {
      if (!withTurn) {
        return { iceServers: [] } as RTCConfiguration;
      }
      const { iceServers } = (await (await fetch('/api/ice-servers')).json()) as { iceServers: RTCIceServer[] };
      return { iceServers, iceTransportPolicy: 'relay' } as RTCConfiguration;
    }, relay);
    await alice.page.evaluate(async () => {
      const w = window as unknown as { __bareMedia?: MediaStream };
      w.__bareMedia ??= await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    });
    const offer = await bob.page.evaluate(async (cfg) => {
      const pc = new RTCPeerConnection(cfg);
      const w = window as unknown as { __bare: { pc: RTCPeerConnection; started: number; frame: Promise<number> } };
      const started = performance.now();
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      const frame = new Promise<number>((resolve) => {
        pc.ontrack = ({ track, streams }) => {
          if (track.kind !== 'video') {
            return;
          }
          const video = document.createElement('video');
          video.muted = true;
          video.autoplay = true;
          video.onloadeddata = () => resolve(performance.now());
          video.srcObject = streams[0] ?? new MediaStream([track]);
          document.body.append(video);
          void video.play().catch(() => undefined);
        };
      });
      w.__bare = { pc, started, frame };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((done) => {
        if (pc.iceGatheringState === 'complete') {
          done();
        }
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done();
      });
      return pc.localDescription!.toJSON();
    }, config);
    const answer = await alice.page.evaluate(
      async ({ cfg, remote }) => {
        const w = window as unknown as { __bareMedia: MediaStream; __barePc?: RTCPeerConnection };
        const pc = new RTCPeerConnection(cfg);
        w.__barePc = pc;
        for (const track of w.__bareMedia.getTracks()) {
          pc.addTrack(track, w.__bareMedia);
        }
        await pc.setRemoteDescription(remote);
        await pc.setLocalDescription(await pc.createAnswer());
        await new Promise<void>((done) => {
          if (pc.iceGatheringState === 'complete') {
            done();
          }
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done();
        });
        return pc.localDescription!.toJSON();
      },
      { cfg: config, remote: offer },
    );
    const ms = await bob.page.evaluate(async (remote) => {
      const w = window as unknown as { __bare: { pc: RTCPeerConnection; started: number; frame: Promise<number> } };
      await w.__bare.pc.setRemoteDescription(remote);
      const at = await w.__bare.frame;
      w.__bare.pc.close();
      document.querySelectorAll('body > video').forEach((video) => video.remove());
      return at - w.__bare.started;
    }, answer);
    await alice.page.evaluate(() => (window as unknown as { __barePc: RTCPeerConnection }).__barePc.close());
    return ms;
  }

  it.each([
    ['bare direct', false],
    ['bare relay', true],
  ] as const)(
    'measures %s connections (baseline)',
    async (path, relay) => {
      for (let i = 0; i < CALLS; i += 1) {
        results[path].push(await oneBare(relay));
      }
      expect(results[path]).toHaveLength(CALLS);
    },
    600_000,
  );

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
