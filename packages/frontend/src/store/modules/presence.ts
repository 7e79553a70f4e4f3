import type { Module } from 'vuex';
import type { PresenceState, RootState } from '../types';

/** How long "X is typing" shows after the last typing.started (senders repeat every few seconds). */
export const TYPING_SHOWN_MS = 7_000;

export const presence: Module<PresenceState, RootState> = {
  namespaced: true,
  state: () => ({ online: {}, typing: {} }),
  mutations: {
    setOnline(state, userIds: number[]) {
      state.online = Object.fromEntries(userIds.map((id) => [id, true]));
    },
    online(state, userId: number) {
      state.online[userId] = true;
    },
    offline(state, userId: number) {
      delete state.online[userId];
      for (const room of Object.values(state.typing)) {
        delete room[userId];
      }
    },
    typing(state, { roomId, userId, until }: { roomId: number; userId: number; until: number }) {
      state.typing[roomId] = { ...(state.typing[roomId] ?? {}), [userId]: until };
    },
    stopTyping(state, { roomId, userId }: { roomId: number; userId: number }) {
      if (state.typing[roomId]) {
        delete state.typing[roomId][userId];
      }
    },
    expireTyping(state, now: number) {
      for (const room of Object.values(state.typing)) {
        for (const [userId, until] of Object.entries(room)) {
          if (until <= now) {
            delete room[Number(userId)];
          }
        }
      }
    },
  },
};
