import type { Router } from 'vue-router';
import type { AppStore } from '../store';

/** Where sign-in and sign-up send the user. */
const SIGN_IN_PAGES = new Set(['login', 'sign-up']);

/** A path inside the app to continue to after signing in; anything else (other sites) is refused. */
export function safeNext(next: unknown): string {
  const value = Array.isArray(next) ? next[0] : next;
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
    ? value
    : '/';
}

/**
 * Signed-out users only see public pages; signed-in users skip the sign-in pages and continue to `?next=`.
 * Navigation waits for the session to be restored (IndexedDB, then the server), so a reload never bounces to the
 * sign-in page. A session that appears while a sign-in page is open (restored from the cookie after the first
 * navigation was decided, or signed in from the form) continues the same way.
 */
export function installGuards(router: Router, store: AppStore, restored: Promise<void>): void {
  router.beforeEach(async (to) => {
    await restored;
    const signedIn = store.state.session.me !== null;
    if (!to.meta.public && !signedIn) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    }
    if (SIGN_IN_PAGES.has(String(to.name)) && signedIn) {
      return safeNext(to.query.next);
    }
    return true;
  });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : null;
    document.title = title ? `${title} · Pychat` : 'Pychat';
  });
  store.watch(
    (state) => state.session.me !== null,
    (signedIn) => {
      const current = router.currentRoute.value;
      if (signedIn && SIGN_IN_PAGES.has(String(current.name))) {
        void router.replace(safeNext(current.query.next));
      }
    },
  );
}
