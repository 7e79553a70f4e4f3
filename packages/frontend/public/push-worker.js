// Web Push handlers, loaded into the Workbox service worker with importScripts (webpack.config.js). Plain
// script: the service worker is generated, and this file is served as it is. The payload is PushPayload of
// @pychat/protocol (docs/push.md), decrypted by the browser.
/* global self, URL */
/// <reference lib="webworker" />
'use strict';

self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    data = null;
  }
  if (!data || data.v !== 1 || typeof data.roomId !== 'number') {
    // Chrome shows "This site has been updated in the background" for a push without a notification.
    event.waitUntil(self.registration.showNotification('Pychat', { body: 'New activity', tag: 'pychat' }));
    return;
  }
  const sender = data.senderName || null;
  const room = data.roomName || null;
  let title;
  let body;
  if (data.type === 'call') {
    title = sender ? `${sender} is calling` : 'Incoming call';
    body = room ? `in ${room}` : 'Open Pychat to answer';
  } else {
    title = sender ? (room ? `${sender} in ${room}` : sender) : data.mentioned ? 'You were mentioned' : 'New message';
    body = typeof data.text === 'string' ? data.text : 'Open Pychat to read it';
  }
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      // One notification per room: a newer message replaces the older one instead of piling up.
      tag: `room-${data.roomId}`,
      renotify: true,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { roomId: data.roomId, type: data.type },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const roomId = event.notification.data && event.notification.data.roomId;
  const path = typeof roomId === 'number' ? `/chat/${roomId}` : '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        // The open app routes to the room itself (main.ts), without a reload.
        open.postMessage({ type: 'pychat.openRoom', roomId });
        await open.focus();
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});
