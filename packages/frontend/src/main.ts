import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router';
import { ApiService } from './services/api.service';
import { ChatService } from './services/chat.service';
import { EventRouter, nextFrame } from './services/event-router';
import type { Services } from './services';
import { InstallService } from './services/install.service';
import { LocalDbService } from './services/local-db.service';
import { LOG_LEVEL_KEY, LogService, startLogLevel } from './services/logger';
import { MainTab } from './services/main-tab';
import { NotificationService } from './services/notification.service';
import { PresenceSubscription } from './services/presence-subscription';
import { PushService } from './services/push.service';
import { RoomsService } from './services/rooms.service';
import { SessionService } from './services/session.service';
import { StoreSync } from './services/store-sync';
import { CallService } from './services/webrtc/call.service';
import { ToneRinger } from './services/webrtc/ringer';
import { FileTransferService } from './services/webrtc/file-transfer.service';
import { WsCallSignaling } from './services/webrtc/signaling';
import { P2pRoomService } from './services/webrtc/p2p-room.service';
import { WsService } from './services/ws.service';
import { createAppStore } from './store';
import './styles/main.scss';

// Composition root: every service is built once here and provided to components.
const logs = new LogService(startLogLevel());
const store = createAppStore();
// settings.logs is the user's, kept by the server: each device applies it from session.ready and settings.updated,
// and remembers it so the next start logs from its first line.
store.watch(
  (state) => state.session.settings,
  ({ logs: level }) => {
    logs.setLevel(level);
    localStorage.setItem(LOG_LEVEL_KEY, level);
  },
);
const api = new ApiService();
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const ws = new WsService(wsUrl, logs.getLogger('ws', '#3ba55d'));
const db = new LocalDbService();
const chat = new ChatService(store, ws, db, logs.getLogger('chat'));
const rooms = new RoomsService(store, ws, db);
// Notifications and sounds come from one tab of this browser only.
const mainTab = new MainTab();
void mainTab.start();
const notifications = new NotificationService(store, mainTab);
const install = new InstallService(window);
const push = new PushService(api);
const session = new SessionService(store, api, ws, db, chat, logs.getLogger('session', '#faa61a'));
const presence = new PresenceSubscription(store, ws, new StoreSync(store, db));
presence.start();
const ringer = new ToneRinger();
// Hidden switch: 'relay' sends every call and file transfer through TURN (the browser tests set it; also handy
// to check a TURN set-up).
const transportPolicy = (): RTCIceTransportPolicy =>
  localStorage.getItem('pychat.iceTransportPolicy') === 'relay' ? 'relay' : 'all';
const calls = new CallService({
  store,
  signaling: new WsCallSignaling(ws),
  iceServers: () => api.iceServers(),
  getMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
  transportPolicy,
  logger: logs.getLogger('call', '#5865f2'),
  ringer,
  storage: localStorage,
});
const transfers = new FileTransferService({
  store,
  request: (type, data) => ws.request(type, data),
  iceServers: () => api.iceServers(),
  transportPolicy,
  storageRoot: () => navigator.storage.getDirectory(),
  logger: logs.getLogger('transfer', '#3ba55d'),
});
const p2pRooms = new P2pRoomService({
  store,
  db,
  request: (type, data) => ws.request(type, data),
  iceServers: () => api.iceServers(),
  transportPolicy,
  logger: logs.getLogger('p2p', '#3ba55d'),
});
chat.p2p = p2pRooms;
chat.uploads = api;
// Back online with the socket still open (it may outlive a short outage): queued files go up now, not later.
window.addEventListener('online', () => void chat.flushOutbox());
// Harmless in production: it reads only this tab's own call. The browser tests assert media flow through it.
Object.assign(window, {
  __pychatCall: {
    stats: () => calls.stats(),
    peerConnections: () => calls.peerConnectionCount,
    ringing: () => ringer.ringing,
    tracks: () => calls.trackLabels(),
  },
  __pychatTransfers: {
    peerConnections: () => transfers.peerConnectionCount,
    candidateTypes: () => transfers.candidateTypes,
    acceptedOffsets: () => transfers.acceptedOffsets,
    dropConnections: () => transfers.dropConnections(),
  },
  __pychatP2p: { openChannels: (roomId?: number) => p2pRooms.openChannels(roomId) },
});
let markRestored: () => void = () => undefined;
const restored = new Promise<void>((resolve) => {
  markRestored = resolve;
});
const router = createAppRouter(store, restored);
const events = new EventRouter(
  store,
  db,
  chat,
  notifications,
  logs.getLogger('events', '#eb459e'),
  {
    onReady: () => {
      void session.onReady();
      // Flags beside users (PYCHAT_SHOW_COUNTRY); once per connect, as the original's getCountryCode.
      api
        .userPlaces()
        .then(({ enabled, places }) => store.commit('users/setPlaces', enabled ? places : {}))
        .catch((error: unknown) => logs.getLogger('users').warn('places not loaded {}', error)());
      void presence.onReady();
      push.refresh().catch((error: unknown) => logs.getLogger('push').warn('push re-registration failed {}', error)());
    },
    onSessionEnded: () => void session.checkSession(),
    schedule: nextFrame,
  },
  calls,
  transfers,
  p2pRooms,
);
session.attach(router, events);

const services: Services = {
  api,
  ws,
  db,
  chat,
  rooms,
  session,
  notifications,
  logs,
  install,
  calls,
  transfers,
  push,
  p2pRooms,
  presence,
};
// Signed out: this browser stops getting pushes (the server already dropped the session's subscription), so the
// next person signing in here does not inherit them.
store.watch(
  (state) => state.session.me?.id ?? null,
  (id, previous) => {
    if (id === null && previous !== null) {
      void push.disable().catch(() => undefined);
    }
  },
);
const app = createApp(App);
for (const [key, service] of Object.entries(services)) {
  app.provide(key, service);
}
app.use(store).use(router);

app.mount('#app');
void session.restore().finally(markRestored);

if ('serviceWorker' in navigator && process.env.NODE_ENV === 'production') {
  window.addEventListener('load', () => {
    void navigator.serviceWorker.register('/service-worker.js');
  });
  // A click on a push notification while the app is open (public/push-worker.js): route there, no reload.
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<{ type?: string; roomId?: unknown }>) => {
    if (event.data?.type === 'pychat.openRoom' && typeof event.data.roomId === 'number') {
      void router.push(`/chat/${event.data.roomId}`);
    }
  });
}
// Typing indicators expire on their own.
setInterval(() => store.commit('presence/expireTyping', Date.now()), 1_000);
