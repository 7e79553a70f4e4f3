import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiService } from './api.service';
import { PushService } from './push.service';

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static requestPermission = vi.fn(async (): Promise<NotificationPermission> => FakeNotification.permission);
}

function fakeSubscription(endpoint: string) {
  return {
    endpoint,
    toJSON: () => ({ endpoint, keys: { p256dh: 'P'.repeat(87), auth: 'A'.repeat(22) } }),
    unsubscribe: vi.fn(async () => true),
  };
}

function setup(publicKey: string | null = 'KEY') {
  let current: ReturnType<typeof fakeSubscription> | null = null;
  const pushManager = {
    getSubscription: vi.fn(async () => current),
    subscribe: vi.fn(async () => (current = fakeSubscription('https://push.example.com/1'))),
  };
  const nav = { serviceWorker: { getRegistration: vi.fn(async () => ({ pushManager })) } } as unknown as Navigator;
  const api = {
    pushKey: vi.fn(async () => ({ publicKey })),
    savePushSubscription: vi.fn(async () => undefined),
    deletePushSubscription: vi.fn(async () => undefined),
  };
  const push = new PushService(api as unknown as ApiService, nav, localStorage);
  return { push, api, pushManager };
}

describe('PushService', () => {
  beforeEach(() => {
    localStorage.clear();
    FakeNotification.permission = 'default';
    vi.stubGlobal('Notification', FakeNotification);
    vi.stubGlobal('PushManager', class {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is off, then on after permission, subscribing with the server key and registering with the server', async () => {
    const { push, api, pushManager } = setup();
    expect(await push.state()).toBe('off');
    FakeNotification.permission = 'granted';

    expect(await push.enable(false)).toBe('on');

    expect(pushManager.subscribe).toHaveBeenCalledWith({ userVisibleOnly: true, applicationServerKey: 'KEY' });
    expect(api.savePushSubscription).toHaveBeenCalledWith({
      endpoint: 'https://push.example.com/1',
      keys: { p256dh: 'P'.repeat(87), auth: 'A'.repeat(22) },
      preview: false,
    });
    expect(await push.state()).toBe('on');
    expect(push.preview).toBe(false);
  });

  it('says denied when the browser blocks notifications, and subscribes nothing', async () => {
    const { push, pushManager } = setup();
    FakeNotification.permission = 'denied';
    expect(await push.enable(true)).toBe('denied');
    expect(await push.state()).toBe('denied');
    expect(pushManager.subscribe).not.toHaveBeenCalled();
  });

  it('says unavailable when the server has push off', async () => {
    const { push, pushManager } = setup(null);
    FakeNotification.permission = 'granted';
    expect(await push.enable(true)).toBe('unavailable');
    expect(pushManager.subscribe).not.toHaveBeenCalled();
  });

  it('says unsupported without the Push API', async () => {
    vi.stubGlobal('PushManager', undefined);
    delete (window as { PushManager?: unknown }).PushManager;
    const { push } = setup();
    expect(await push.state()).toBe('unsupported');
  });

  it('off: forgets the subscription on the server and in the browser; refresh then sends nothing', async () => {
    const { push, api, pushManager } = setup();
    FakeNotification.permission = 'granted';
    await push.enable(true);
    const subscription = await pushManager.getSubscription();

    expect(await push.disable()).toBe('off');
    expect(api.deletePushSubscription).toHaveBeenCalledWith('https://push.example.com/1');
    expect(subscription?.unsubscribe).toHaveBeenCalled();
    api.savePushSubscription.mockClear();
    await push.refresh();
    expect(api.savePushSubscription).not.toHaveBeenCalled();
  });
});
