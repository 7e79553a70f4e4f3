import type { UserDto, UserSettingsDto } from '@pychat/protocol';
import type { Module } from 'vuex';
import { DEFAULT_SETTINGS, type ConnectionState, type RootState, type SessionState } from '../types';

export const session: Module<SessionState, RootState> = {
  namespaced: true,
  state: () => ({
    me: null,
    connection: 'offline',
    settings: { ...DEFAULT_SETTINGS },
    serverOffset: 0,
    restored: false,
  }),
  mutations: {
    setMe(state, me: UserDto | null) {
      state.me = me;
    },
    setConnection(state, connection: ConnectionState) {
      state.connection = connection;
    },
    setSettings(state, settings: UserSettingsDto) {
      state.settings = settings;
    },
    setServerOffset(state, offset: number) {
      state.serverOffset = offset;
    },
    setRestored(state, restored: boolean) {
      state.restored = restored;
    },
  },
};
