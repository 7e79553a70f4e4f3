import type { Store } from 'vuex';
import type { calls } from './modules/calls';
import type { messages } from './modules/messages';
import type { rooms } from './modules/rooms';
import type { users } from './modules/users';
import type { RootState } from './types';

/** What a module's getters resolve to on `store.getters` (vuex calls each with state, getters, root state). */
type Resolved<NS extends string, G> = {
  [K in keyof G & string as `${NS}/${K}`]: G[K] extends (...args: never[]) => infer R ? R : never;
};

/** Every namespaced getter and its type, read from the modules themselves so the two cannot drift. */
export type AppGetters = Resolved<'rooms', typeof rooms.getters> &
  Resolved<'users', typeof users.getters> &
  Resolved<'messages', typeof messages.getters> &
  Resolved<'calls', typeof calls.getters>;

/**
 * A namespaced getter, typed: `getter(this.$store, 'rooms/title')(roomId)`. vuex 4 types `store.getters` as
 * `any`, so reading it directly needs a cast at every call site, and a cast does not notice a getter that changes.
 */
export function getter<K extends keyof AppGetters>(store: Store<RootState>, name: K): AppGetters[K] {
  return store.getters[name] as AppGetters[K];
}
