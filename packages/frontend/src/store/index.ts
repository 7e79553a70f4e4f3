import { createStore, type Store } from 'vuex';
import { calls } from './modules/calls';
import { messages } from './modules/messages';
import { notifications } from './modules/notifications';
import { presence } from './modules/presence';
import { rooms } from './modules/rooms';
import { session } from './modules/session';
import { transfers } from './modules/transfers';
import { users } from './modules/users';
import type { RootState } from './types';

export type AppStore = Store<RootState>;

/** Namespaced modules per domain. Only services (on user actions) and the event router commit. */
export function createAppStore(): AppStore {
  return createStore<RootState>({
    strict: false,
    modules: { session, rooms, users, messages, presence, notifications, calls, transfers },
  }) as AppStore;
}
