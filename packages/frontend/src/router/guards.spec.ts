import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { createAppStore } from '../store';
import { installGuards, safeNext } from './guards';

const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
const page = { template: '<div />' };

function setup(): { router: Router; store: ReturnType<typeof createAppStore> } {
  const store = createAppStore();
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: page },
      { path: '/login', name: 'login', component: page, meta: { public: true } },
      { path: '/sign-up', name: 'sign-up', component: page, meta: { public: true } },
      { path: '/settings', name: 'settings', component: page },
    ],
  });
  installGuards(router, store, Promise.resolve());
  return { router, store };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('route guards', () => {
  it('sends a signed-out user to sign-in, remembering where they were going', async () => {
    const { router } = setup();
    await router.push('/settings');
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/settings');
  });

  it('continues to ?next= once a session appears while the sign-in page is open', async () => {
    const { router, store } = setup();
    await router.push('/settings');
    store.commit('session/setMe', me);
    await settle();
    await router.isReady();
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/settings');
  });

  it('a signed-in user opening the sign-up page goes to ?next= instead, never to another site', async () => {
    const { router, store } = setup();
    store.commit('session/setMe', me);
    await router.push('/sign-up?next=/settings');
    expect(router.currentRoute.value.fullPath).toBe('/settings');
    await router.push('/login?next=//evil.example');
    expect(router.currentRoute.value.fullPath).toBe('/');
  });

  it('safeNext keeps in-app paths only', () => {
    expect(safeNext('/chat/3')).toBe('/chat/3');
    expect(safeNext(['/settings'])).toBe('/settings');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', undefined, 3]) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});
