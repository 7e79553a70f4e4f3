import type { UserDto } from '@pychat/protocol';
import type { Module } from 'vuex';
import type { RootState, UsersState } from '../types';

export const users: Module<UsersState, RootState> = {
  namespaced: true,
  state: () => ({ byId: {} }),
  getters: {
    list: (state): UserDto[] => Object.values(state.byId).sort((a, b) => a.username.localeCompare(b.username)),
  },
  mutations: {
    setAll(state, list: UserDto[]) {
      state.byId = Object.fromEntries(list.map((u) => [u.id, u]));
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
};
