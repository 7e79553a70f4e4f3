import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRelayOnlyUser, screenshotsOnFailure, openDirectRoom, startRelayStack, type BrowserUser } from './browser';
import { uniqueName, type Instance } from './stack';

/** The page's window.__pychatCall (main.ts) and the CSP listener this spec installs. */
interface PeerStats {
  connId: string;
  connectionState: string;
  framesDecoded: number;
  bytesReceived: number;
  localCandidateType: string | null;
  localRelayProtocol: string | null;
  remoteCandidateType: string | null;
}
type CallWindow = Window & {
  __pychatCall: { stats(): Promise<PeerStats[]>; peerConnections(): number };
  __cspViolations: string[];
};

/**
 * Issue 12, calls (web app), first slice: a 1:1 video call in a direct room, every packet through the bundled
 * TURN (`pychat.iceTransportPolicy = relay`), in Chromium with fake camera and microphone.
 */
describe('a 1:1 video call in Chromium through the bundled TURN', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const shots = join(__dirname, '../../../test-results');

  async function user(name: string): Promise<BrowserUser> {
    const who = await newRelayOnlyUser(browser, name);
    // Before the first navigation, so it runs in every document of the context.
    await who.context.addInitScript(() => {
      const w = window as unknown as CallWindow;
      w.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        w.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });
    return who;
  }

  function stats(page: Page): Promise<PeerStats[]> {
    return page.evaluate(() => (window as unknown as CallWindow).__pychatCall.stats());
  }

  async function framesDecoded(page: Page): Promise<number> {
    return (await stats(page))[0]?.framesDecoded ?? 0;
  }

  beforeAll(async () => {
    ({ instance, browser } = await startRelayStack('web-call'));
    alice = await user(uniqueName('alice'));
    bob = await user(uniqueName('bob'));
    mkdirSync(shots, { recursive: true });
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('opens a direct room between the two users', async () => {
    expect(await openDirectRoom(instance.url, alice, bob)).toBeGreaterThan(1);
  });

  it('rings bob when alice starts a video call, and bob answers with video', async () => {
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    const dialog = bob.page.getByRole('alertdialog');
    await dialog.getByText(`${alice.name} is calling`).waitFor();
    expect(await dialog.textContent()).toContain('Video call');
    if (process.env.E2E_SCREENSHOTS) {
      await bob.page.screenshot({ path: join(shots, 'call-incoming.png') });
    }
    await dialog.getByRole('button', { name: 'Answer with video' }).click();
    await dialog.waitFor({ state: 'detached' });
    await alice.page.getByRole('region', { name: 'Call' }).waitFor();
    await bob.page.getByRole('region', { name: 'Call' }).waitFor();
  });

  it('decodes video on both sides over a relay candidate pair', async () => {
    for (const page of [alice.page, bob.page]) {
      await expect.poll(() => framesDecoded(page), { timeout: 30_000, interval: 500 }).toBeGreaterThan(10);
      const first = await framesDecoded(page);
      await expect.poll(() => framesDecoded(page), { timeout: 10_000, interval: 500 }).toBeGreaterThan(first + 10);
      const [peer] = await stats(page);
      expect(peer.connectionState).toBe('connected');
      expect(peer.localCandidateType).toBe('relay');
    }
    // The remote tile shows video, not the avatar.
    await alice.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'visible' });
    await bob.page.locator('[data-testid="call-tile"] video').waitFor({ state: 'visible' });
    // Its quality signal (polled every 2 s from getStats) names a level and the TURN relay.
    const quality = alice.page.getByTestId('call-quality');
    await expect
      .poll(() => quality.getAttribute('aria-label'), { timeout: 10_000 })
      .toMatch(new RegExp(`^${bob.name}: Connection (good|fair|poor): .*relayed \\(TURN\\)$`));
    if (process.env.E2E_SCREENSHOTS) {
      await alice.page.screenshot({ path: join(shots, 'call-panel.png') });
    }
  });

  it('shows bob muted and his camera off on alice side', async () => {
    await bob.page.getByRole('button', { name: 'Mute microphone' }).click();
    await alice.page.getByLabel(`${bob.name} is muted`).waitFor();
    await bob.page.getByRole('button', { name: 'Turn camera off' }).click();
    await alice.page.getByLabel(`${bob.name} has the camera off`).waitFor();
    await bob.page.getByRole('button', { name: 'Unmute microphone' }).click();
    await expect.poll(() => alice.page.getByLabel(`${bob.name} is muted`).count()).toBe(0);
  });

  it('closes both panels and every RTCPeerConnection on hang-up, without CSP violations', async () => {
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [alice.page, bob.page]) {
      await page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
      await expect
        .poll(() => page.evaluate(() => (window as unknown as CallWindow).__pychatCall.peerConnections()))
        .toBe(0);
      expect(await page.evaluate(() => (window as unknown as CallWindow).__cspViolations)).toEqual([]);
    }
    // The call is over for the room: the header offers a new one, not "Join call".
    await bob.page.getByRole('button', { name: 'Start video call' }).waitFor();
  });
});

/**
 * The same call when UDP to the TURN server is not an option: both browsers get only the bundled server's
 * `turn:…?transport=tcp` URL (GET /api/ice-servers filtered on the way in) and relay-only ICE, so every packet
 * goes browser → TCP → node-turn → UDP relay → node-turn → TCP → browser.
 */
describe('a 1:1 video call in Chromium relayed over TCP to the bundled TURN', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const offered: string[][] = [];

  async function user(name: string): Promise<BrowserUser> {
    const who = await newRelayOnlyUser(browser, name);
    await who.context.route('**/api/ice-servers', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { iceServers: { urls: string[] }[] };
      for (const server of body.iceServers) {
        server.urls = server.urls.filter((url) => url.startsWith('turn:') && url.endsWith('?transport=tcp'));
        offered.push(server.urls);
      }
      await route.fulfill({ response, json: body });
    });
    return who;
  }

  const stats = (page: Page): Promise<PeerStats[]> =>
    page.evaluate(() => (window as unknown as CallWindow).__pychatCall.stats());

  beforeAll(async () => {
    ({ instance, browser } = await startRelayStack('web-call-tcp'));
    alice = await user(uniqueName('alice'));
    bob = await user(uniqueName('bob'));
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('decodes video on both sides through a relay reached over TCP', async () => {
    await openDirectRoom(instance.url, alice, bob);
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    const dialog = bob.page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Answer with video' }).click();
    for (const page of [alice.page, bob.page]) {
      const frames = async () => (await stats(page))[0]?.framesDecoded ?? 0;
      await expect.poll(frames, { timeout: 30_000, interval: 500 }).toBeGreaterThan(10);
      const first = await frames();
      await expect.poll(frames, { timeout: 10_000, interval: 500 }).toBeGreaterThan(first + 10);
      const [peer] = await stats(page);
      expect(peer.connectionState).toBe('connected');
      expect(peer.localCandidateType).toBe('relay');
      expect(peer.localRelayProtocol).toBe('tcp');
    }
    // Each page was offered the TCP URL and nothing else.
    expect(offered.length).toBeGreaterThanOrEqual(2);
    for (const urls of offered) {
      expect(urls).toHaveLength(1);
      expect(urls[0]).toMatch(/^turn:127\.0\.0\.1:\d+\?transport=tcp$/);
    }
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
  });
});
