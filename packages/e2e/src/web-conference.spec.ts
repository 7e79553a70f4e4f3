import { join } from 'node:path';
import { ALL_ROOM_ID } from '@pychat/protocol';
import { freeUdpPort } from '@pychat/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { callStats, expectDecodingFrom, ringing, type CallWindow } from './calls';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';

/**
 * Issue 12, conference: three people (own contexts, fake camera and microphone) in the "all" room — decline, late
 * join from the room header, a mesh where everyone decodes everyone, a tab closed mid-call, cameras switched on
 * by everyone at once (offers colliding on every pair), and a context whose camera permission is denied.
 */
describe('a conference of three in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  const pageErrors: string[] = [];

  /** An exception in a call component (a hook that throws) breaks the panel without failing a click. */
  function watchErrors(name: string, page: Page): void {
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /TypeError|ReferenceError/.test(m.text())) {
        pageErrors.push(`${name}: ${m.text().slice(0, 200)}`);
      }
    });
  }

  const panel = (page: Page) => page.getByRole('region', { name: 'Call' });
  const tiles = (page: Page) => page.locator('[data-testid="call-tile"]');

  beforeAll(async () => {
    const minPort = 61000 + Math.floor(Math.random() * 40) * 100;
    instance = await startInstance({
      PYCHAT_DATA_DIR: tempDir('web-conference'),
      // TURN only as a fallback: on loopback the host candidates connect directly, which keeps 3 meshes light.
      PYCHAT_TURN: 'on',
      PYCHAT_TURN_PORT: String(await freeUdpPort()),
      PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
      PYCHAT_TURN_MIN_PORT: String(minPort),
      PYCHAT_TURN_MAX_PORT: String(minPort + 49),
      PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: 'true',
    });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    bob = await newBrowserUser(browser, uniqueName('bob'), false);
    carol = await newBrowserUser(browser, uniqueName('carol'), false);
    for (const [name, who] of Object.entries({ alice, bob, carol })) {
      watchErrors(name, who.page);
    }
    // Everyone who signs up is in the "all" room: the conference happens there.
    for (const who of [alice, bob, carol]) {
      await signUpInBrowser(instance.url, who);
    }
  });

  screenshotsOnFailure(() => ({ alice, bob, carol }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('rings bob and carol; bob answers with video, carol declines and the others are told, the call goes on', async () => {
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    for (const who of [bob, carol]) {
      await who.page.getByRole('alertdialog').getByText(`${alice.name} is calling`).waitFor();
      expect(await ringing(who.page)).toBe(true);
    }
    await bob.page.getByRole('alertdialog').getByRole('button', { name: 'Answer with video' }).click();
    await panel(bob.page).waitFor();
    expect(await ringing(bob.page)).toBe(false);
    await carol.page.getByRole('alertdialog').getByRole('button', { name: 'Decline' }).click();
    await carol.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    expect(await ringing(carol.page)).toBe(false);
    await panel(alice.page).getByText(`${carol.name} declined the call`).waitFor();
    await panel(bob.page).getByText(`${carol.name} declined the call`).waitFor();
    await expectDecodingFrom(alice.page, 1);
  });

  it('carol joins late from "Join call"; with her camera on, each page decodes video from both others', async () => {
    await carol.page.getByRole('button', { name: 'Join call' }).click();
    await panel(carol.page).waitFor();
    // Join is audio-only; the camera switched on afterwards renegotiates with both peers.
    await carol.page.getByRole('button', { name: 'Turn camera on' }).click();
    for (const who of [alice, bob, carol]) {
      await expect.poll(() => tiles(who.page).count(), { timeout: 15_000 }).toBe(2);
      await expectDecodingFrom(who.page, 2);
    }
    // Everyone's fake microphone beeps: the meters of the remote tiles move.
    await expect
      .poll(() => alice.page.getByRole('meter', { name: `${bob.name} voice level` }).getAttribute('aria-valuenow'), {
        timeout: 20_000,
        interval: 50,
      })
      .not.toBe('0');
    if (process.env.E2E_SCREENSHOTS) {
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-conference.png') });
    }
  });

  it("carol's tab closed mid-call: she leaves alice's and bob's panels within seconds", async () => {
    await carol.page.close();
    for (const who of [alice, bob]) {
      await expect.poll(() => tiles(who.page).count(), { timeout: 10_000 }).toBe(1);
      await panel(who.page).getByText(`${carol.name} left the call`).waitFor();
      expect((await callStats(who.page)).map((p) => p.connectionState)).toEqual(['connected']);
    }
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    // Bob is alone: his call ends too.
    await panel(bob.page).waitFor({ state: 'detached' });
    // The room shows the call's start and end, with its duration (client-side log lines).
    for (const who of [alice, bob]) {
      await who.page
        .getByRole('note')
        .filter({ hasText: `${alice.name} started a call` })
        .waitFor();
      await who.page
        .getByRole('note')
        .filter({ hasText: /^Call ended · \d+:\d\d$/ })
        .waitFor();
    }
  });

  it('three cameras switched on at once in an audio call: colliding offers settle and everyone sees everyone', async () => {
    carol.page = await carol.context.newPage();
    watchErrors('carol', carol.page);
    await carol.page.goto(`${instance.url}/chat/${ALL_ROOM_ID}`);
    await carol.page.getByRole('button', { name: 'Start audio call' }).waitFor();
    await alice.page.getByRole('button', { name: 'Start audio call' }).click();
    for (const who of [bob, carol]) {
      await who.page.getByRole('alertdialog').getByRole('button', { name: 'Answer', exact: true }).click();
      await panel(who.page).waitFor();
    }
    for (const who of [alice, bob, carol]) {
      await expect.poll(() => tiles(who.page).count(), { timeout: 15_000 }).toBe(2);
      await expect
        .poll(async () => (await callStats(who.page)).every((p) => p.connectionState === 'connected'), {
          timeout: 20_000,
        })
        .toBe(true);
    }
    // Each click adds a video track to two peer connections: every pair of the mesh offers from both ends.
    await Promise.all(
      [alice, bob, carol].map((who) => who.page.getByRole('button', { name: 'Turn camera on' }).click()),
    );
    for (const who of [alice, bob, carol]) {
      await expectDecodingFrom(who.page, 2);
    }
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await panel(carol.page).waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Issue 12, "at least 4 participants working": four devices in one mesh (six peer connections), each decoding the
 * three others. The fake camera is cut to 160×120 at 10 fps so four pages fit a loaded 2-core machine; the mesh
 * and signalling are what is under test, not the codec.
 */
describe('a conference of four in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  const people: BrowserUser[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-conference-4') });
    browser = await launchSharedBrowser();
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      const who = await newBrowserUser(browser, uniqueName(name), false);
      await who.context.addInitScript(() => {
        const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (constraints) => {
          const video = constraints?.video;
          return original(
            video
              ? {
                  ...constraints,
                  video: { ...(typeof video === 'object' ? video : {}), width: 160, height: 120, frameRate: 10 },
                }
              : constraints,
          );
        };
      });
      who.page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
      people.push(who);
    }
    for (const who of people) {
      await signUpInBrowser(instance.url, who);
    }
  });

  screenshotsOnFailure(() => Object.fromEntries(people.map((who, i) => [`person${i}`, who])));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice calls the "all" room with video, three answer with video: every page decodes the three others', async () => {
    const [alice, ...others] = people;
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    for (const who of others) {
      await who.page.getByRole('alertdialog').getByRole('button', { name: 'Answer with video' }).click();
      await who.page.getByRole('region', { name: 'Call' }).waitFor();
    }
    for (const who of people) {
      await expect.poll(() => who.page.locator('[data-testid="call-tile"]').count(), { timeout: 20_000 }).toBe(3);
      await expectDecodingFrom(who.page, 3);
      const stats = await callStats(who.page);
      expect(stats.map((p) => p.connectionState)).toEqual(['connected', 'connected', 'connected']);
      // Three different remote users, none of them this page's own.
      expect(new Set(stats.map((p) => p.userId)).size).toBe(3);
    }
    if (process.env.E2E_SCREENSHOTS) {
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-conference-4.png') });
    }
    // Three hang up one by one; the last one left alone is taken out of the call.
    for (const who of people) {
      if (who !== people[3]) {
        await who.page.getByRole('button', { name: 'Hang up' }).click();
      }
      await who.page.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);
});

/** Devices: the settings popover before and in a call, a camera whose permission is denied, a switched microphone. */
describe('call devices in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let dave: BrowserUser;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-call-devices') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'), false);
    dave = await newBrowserUser(browser, uniqueName('dave'), false);
    // Dave's browser allows the microphone only: Playwright denies every permission not granted.
    await dave.context.grantPermissions(['microphone']);
    // Chromium's fake media UI answers getUserMedia whatever the permission says: refuse the camera as a browser
    // with the camera blocked does.
    await dave.context.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) =>
        constraints?.video
          ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
          : original(constraints);
    });
    for (const who of [alice, dave]) {
      await signUpInBrowser(instance.url, who);
    }
  });

  screenshotsOnFailure(() => ({ alice, dave }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('says before a call that the camera is denied; answering with video gives an audio-only call and a notice', async () => {
    await dave.page.getByRole('button', { name: 'Call devices' }).click();
    await dave.page
      .getByRole('dialog', { name: 'Call devices' })
      .getByText('Camera permission is denied for this site')
      .waitFor();
    await dave.page.getByRole('button', { name: 'Call devices' }).click();

    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await dave.page.getByRole('alertdialog').getByRole('button', { name: 'Answer with video' }).click();
    const davePanel = dave.page.getByRole('region', { name: 'Call' });
    await davePanel.getByText('Camera permission was denied. You are in the call with audio only.').waitFor();
    // Audio flows: alice's tile for dave is connected and shows his avatar, not video.
    await expect
      .poll(async () => (await callStats(alice.page)).map((p) => p.connectionState), { timeout: 20_000 })
      .toEqual(['connected']);
    await expect(alice.page.getByLabel(`${dave.name} has the camera off`).count()).resolves.toBe(1);
    await expectDecodingFrom(dave.page, 1);
  });

  it('switches the microphone in the call with replaceTrack: the peer connection sends the new device', async () => {
    await alice.page.getByRole('region', { name: 'Call' }).getByRole('button', { name: 'Call devices' }).click();
    const popover = alice.page.getByRole('dialog', { name: 'Call devices' });
    const mic = popover.getByLabel('Microphone');
    const options = await mic
      .locator('option')
      .evaluateAll((els) =>
        els.map((e) => ({ value: (e as HTMLOptionElement).value, label: e.textContent?.trim() ?? '' })),
      );
    const tracks = () => alice.page.evaluate(() => (window as unknown as CallWindow).__pychatCall.tracks());
    const before = (await tracks()).local.find((t) => t.startsWith('audio:'));
    const other = options.find((o) => o.value !== '' && `audio:${o.label}` !== before);
    expect(other).toBeDefined();
    if (process.env.E2E_SCREENSHOTS) {
      await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'call-devices.png') });
    }
    await mic.selectOption(other?.value ?? '');
    await expect.poll(async () => (await tracks()).sent).toContain(`audio:${other?.label}`);
    expect((await tracks()).local).toContain(`audio:${other?.label}`);
    expect((await tracks()).sent).not.toContain(before);
    // A reload keeps the choice.
    expect(await alice.page.evaluate(() => localStorage.getItem('pychat.callDevices'))).toContain(other?.value);
    await expectDecodingFrom(dave.page, 1);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
  });
});
