import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ROOM_ID, type PushPayload } from '@pychat/protocol';
import type { Browser, CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { startInstance, tempDir, uniqueName, type Instance } from './stack';
import { waitUntil } from '@pychat/testkit';

declare global {
  interface Window {
    /** Set before a notification click: still there afterwards means the app routed without a reload. */
    pushMarker?: number;
  }
}

/**
 * The service worker's side of Web Push in Chromium. No push service is reachable here (`unshare -n`), so the
 * DevTools protocol delivers the push (ServiceWorker.deliverPushMessage, as the browser would after decrypting
 * it; the server's encryption and VAPID are covered by the medium push.spec.ts against a stand-in push service).
 */
describe('Web Push in the service worker, in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let cdp: CDPSession;
  let registrationId = '';

  screenshotsOnFailure(() => ({ alice }));

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('push') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('pa'));
    await alice.context.grantPermissions(['notifications'], { origin: instance.url });
    await signUpInBrowser(instance.url, alice);
    await alice.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    cdp = await alice.context.newCDPSession(alice.page);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      registrationId = registrations.find((r) => !r.isDeleted)?.registrationId ?? registrationId;
    });
    await cdp.send('ServiceWorker.enable');
    await waitUntil('the service worker registration', async () => registrationId, 10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  async function deliver(payload: PushPayload): Promise<void> {
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: instance.url,
      registrationId,
      data: JSON.stringify(payload),
    });
  }

  function notifications() {
    return alice.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return (await registration.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        data: n.data as unknown,
      }));
    });
  }

  it('shows a pushed message with sender, room and text, one notification per room', async () => {
    const message = (id: number, text: string): PushPayload => ({
      v: 1,
      type: 'message',
      roomId: ALL_ROOM_ID,
      messageId: id,
      senderId: 2,
      roomName: 'all',
      senderName: 'bob',
      text,
      mentioned: true,
    });
    await deliver(message(10, 'are you there?'));
    await expect.poll(notifications).toEqual([
      {
        title: 'bob in all',
        body: 'are you there?',
        tag: `room-${ALL_ROOM_ID}`,
        data: { roomId: 1, type: 'message' },
      },
    ]);

    await deliver(message(11, 'second message'));
    await expect
      .poll(notifications)
      .toEqual([expect.objectContaining({ title: 'bob in all', body: 'second message', tag: `room-${ALL_ROOM_ID}` })]);

    // "No preview": ids only, nothing readable.
    await deliver({ v: 1, type: 'message', roomId: 77, messageId: 12, senderId: 2, mentioned: false });
    await expect
      .poll(async () => (await notifications()).find((n) => n.tag === 'room-77'))
      .toEqual({
        title: 'New message',
        body: 'Open Pychat to read it',
        tag: 'room-77',
        data: { roomId: 77, type: 'message' },
      });
  });

  it('a click on the notification routes the open app to that room without reloading it', async () => {
    await alice.page.goto(`${instance.url}/settings`);
    await alice.page.getByText('Push notifications when Pychat is closed').waitFor();
    await alice.page.getByText('Show sender and text in pushes').scrollIntoViewIfNeeded();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'push-settings.png') });
    await alice.page.evaluate(() => {
      window.pushMarker = 42;
    });
    const worker = alice.context.serviceWorkers()[0]!;
    // A click cannot be made through the DevTools protocol: the handler gets the event the browser would send.
    await worker.evaluate(async (tag) => {
      // The e2e package has the DOM types, not the worker ones.
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        dispatchEvent(event: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      };
      const [notification] = await sw.registration.getNotifications({ tag });
      sw.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }));
    }, `room-${ALL_ROOM_ID}`);

    await alice.page.waitForURL(new RegExp(`/chat/${ALL_ROOM_ID}$`));
    expect(await alice.page.evaluate(() => window.pushMarker)).toBe(42);
  });
});
