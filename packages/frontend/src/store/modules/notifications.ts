import type { Module } from 'vuex';
import type { NotificationsState, RootState, Toast } from '../types';

let nextToastId = 1;

export const notifications: Module<NotificationsState, RootState> = {
  namespaced: true,
  state: () => ({ toasts: [] }),
  mutations: {
    push(state, toast: Omit<Toast, 'id'>) {
      state.toasts.push({ ...toast, id: nextToastId++ });
      if (state.toasts.length > 4) {
        state.toasts.shift();
      }
    },
    dismiss(state, id: number) {
      state.toasts = state.toasts.filter((t) => t.id !== id);
    },
  },
};
