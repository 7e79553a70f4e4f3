import type { ApiService } from './api.service';

/** What the "Push notifications when Pychat is closed" switch shows. */
export type PushState = 'unsupported' | 'unavailable' | 'denied' | 'on' | 'off';

/** Remembers the switch per device, so the subscription is re-sent after a sign-in or a server-side cleanup. */
const PUSH_KEY = 'pychat.push';

/**
 * Web Push for this browser: subscribes with the server's VAPID key and hands the subscription to the server
 * (per session), or takes it back. The service worker (public/push-worker.js) shows what arrives.
 */
export class PushService {
  constructor(
    private readonly api: ApiService,
    private readonly nav: Navigator = navigator,
    private readonly storage: Storage = localStorage,
  ) {}

  get supported(): boolean {
    return 'serviceWorker' in this.nav && 'PushManager' in window && 'Notification' in window;
  }

  async state(): Promise<PushState> {
    if (!this.supported) {
      return 'unsupported';
    }
    if (Notification.permission === 'denied') {
      return 'denied';
    }
    const registration = await this.nav.serviceWorker.getRegistration();
    if (!registration) {
      // Development builds register no service worker.
      return 'unavailable';
    }
    const subscription = await registration.pushManager.getSubscription();
    return subscription && this.storage.getItem(PUSH_KEY) !== null ? 'on' : 'off';
  }

  get preview(): boolean {
    return this.storage.getItem(PUSH_KEY) !== 'no-preview';
  }

  /** Asks for permission if needed, subscribes and registers with the server; resolves with the new state. */
  async enable(preview: boolean): Promise<PushState> {
    if (!this.supported) {
      return 'unsupported';
    }
    const permission =
      Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    if (permission !== 'granted') {
      return permission === 'denied' ? 'denied' : 'off';
    }
    const { publicKey } = await this.api.pushKey();
    const registration = await this.nav.serviceWorker.getRegistration();
    if (publicKey === null || !registration) {
      return 'unavailable';
    }
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey }));
    this.storage.setItem(PUSH_KEY, preview ? 'on' : 'no-preview');
    await this.register(subscription, preview);
    return 'on';
  }

  async disable(): Promise<PushState> {
    this.storage.removeItem(PUSH_KEY);
    const registration = await this.nav.serviceWorker?.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    if (subscription) {
      await this.api.deletePushSubscription(subscription.endpoint).catch(() => undefined);
      await subscription.unsubscribe();
    }
    return this.state();
  }

  /**
   * After sign-in or reconnect: the server may have dropped this browser's subscription (sign-out, a 410, the
   * per-user cap), so it is sent again while the switch is on. Idempotent on the server.
   */
  async refresh(): Promise<void> {
    const mode = this.storage.getItem(PUSH_KEY);
    if (mode === null || !this.supported || Notification.permission !== 'granted') {
      return;
    }
    const registration = await this.nav.serviceWorker.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    if (subscription) {
      await this.register(subscription, mode !== 'no-preview');
    }
  }

  private async register(subscription: PushSubscription, preview: boolean): Promise<void> {
    const json = subscription.toJSON();
    await this.api.savePushSubscription({
      endpoint: subscription.endpoint,
      keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      preview,
    });
  }
}
