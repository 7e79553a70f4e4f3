import type { Module } from 'vuex';
import type { PresenceState, RootState } from '../types';

/** How long "X is typing" shows after the last typing.started (senders repeat every few seconds). */
export const TYPING_SHOWN_MS = 7_000;

export const presence: Module<PresenceState, RootState> = {
  namespaced: true,
  state: () => ({ online: {}, shown: {}, shownRooms: {}, roomOnline: {}, typing: {} }),
  mutations: {
    setOnline(state, userIds: number[]) {
      state.online = Object.fromEntries(userIds.map((id) => [id, true]));
    },
    /** A view shows these users (their presence is subscribed to while it does); an empty list: it stopped. */
    show(state, { key, userIds }: { key: string; userIds: number[] }) {
      if (userIds.length === 0) {
        delete state.shown[key];
      } else {
        state.shown[key] = userIds;
      }
    },
    /** A view shows the online count of these rooms; an empty list: it stopped. */
    showRooms(state, { key, roomIds }: { key: string; roomIds: number[] }) {
      if (roomIds.length === 0) {
        delete state.shownRooms[key];
      } else {
        state.shownRooms[key] = roomIds;
      }
    },
    /** A subscribe's answer: the counts of exactly the rooms followed now. */
    setRoomOnline(state, rooms: { roomId: number; online: number }[]) {
      state.roomOnline = Object.fromEntries(rooms.map(({ roomId, online }) => [roomId, online]));
    },
    /** room.online: only for a room still followed (a frame may cross a subscribe that dropped it). */
    roomOnline(state, { roomId, online }: { roomId: number; online: number }) {
      if (roomId in state.roomOnline) {
        state.roomOnline[roomId] = online;
      }
    },
    /** One presence.changed batch: a user is in at most one of the lists. */
    change(state, { online, offline }: { online: number[]; offline: number[] }) {
      for (const userId of online) {
        state.online[userId] = true;
      }
      if (offline.length === 0) {
        return;
      }
      const gone = new Set(offline);
      for (const userId of gone) {
        delete state.online[userId];
      }
      for (const room of Object.values(state.typing)) {
        for (const userId of Object.keys(room)) {
          if (gone.has(Number(userId))) {
            delete room[Number(userId)];
          }
        }
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
