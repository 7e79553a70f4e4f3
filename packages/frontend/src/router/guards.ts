import type { Router } from 'vue-router';
import type { AppStore } from '../store';

/**
 * Signed-out users only see public pages; signed-in users skip the sign-in pages. Navigation waits for
 * the session to be restored (IndexedDB, then the server), so a reload never bounces to the sign-in page.
 */
export function installGuards(router: Router, store: AppStore, restored: Promise<void>): void {
  router.beforeEach(async (to) => {
    await restored;
    const signedIn = store.state.session.me !== null;
    if (!to.meta.public && !signedIn) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    }
    if ((to.name === 'login' || to.name === 'sign-up') && signedIn) {
      return '/';
    }
    return true;
  });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : null;
    document.title = title ? `${title} · Pychat` : 'Pychat';
  });
}
