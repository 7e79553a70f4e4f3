import type { UserDto, UserPlaceDto } from '@pychat/protocol';
import type { Module } from 'vuex';
import type { RootState, UsersState } from '../types';

// `satisfies`, not a type annotation: keeps the getters' own types for store/getters.ts.
export const users = {
  namespaced: true,
  state: () => ({ byId: {}, syncedAt: null, places: {} }),
  getters: {
    list: (state): UserDto[] => Object.values(state.byId).sort((a, b) => a.username.localeCompare(b.username)),
  },
  mutations: {
    /** The whole directory (session.ready without `usersSince`, or the local copy). */
    setAll(state, list: UserDto[]) {
      state.byId = Object.fromEntries(list.map((u) => [u.id, u]));
    },
    /**
     * Users created or changed since `usersSince` (session.ready of protocol v2): the server's copy of each wins;
     * everyone else stays as cached (their `lastSeenAt` is kept current by presence.changed while connected).
     */
    merge(state, list: UserDto[]) {
      for (const user of list) {
        state.byId[user.id] = user;
      }
    },
    setPlaces(state, places: Record<number, UserPlaceDto>) {
      state.places = places;
    },
    setSyncedAt(state, at: number | null) {
      state.syncedAt = at;
    },
    upsert(state, user: UserDto) {
      state.byId[user.id] = user;
    },
    setLastSeen(state, { userId, lastSeenAt }: { userId: number; lastSeenAt: number }) {
      const user = state.byId[userId];
      if (user) {
        user.lastSeenAt = lastSeenAt;
      }
    },
  },
} satisfies Module<UsersState, RootState>;
