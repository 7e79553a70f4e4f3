import { ALL_ROOM_ID } from '@pychat/protocol/constants';
import { createRouter, createWebHistory, type Router, type RouteRecordRaw } from 'vue-router';
import type { AppStore } from '../store';
import { installGuards } from './guards';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => `/chat/${ALL_ROOM_ID}` },
  { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { public: true } },
  {
    path: '/sign-up',
    // Invite links are `/signup?invite=…`.
    alias: '/signup',
    name: 'sign-up',
    component: () => import('../views/SignUpView.vue'),
    meta: { public: true },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('../views/ForgotPasswordView.vue'),
    meta: { public: true, title: 'Forgot password' },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: () => import('../views/ResetPasswordView.vue'),
    meta: { public: true, title: 'New password' },
  },
  {
    path: '/verify-email',
    name: 'verify-email',
    component: () => import('../views/VerifyEmailView.vue'),
    meta: { public: true, title: 'Confirm email' },
  },
  {
    path: '/chat/:roomId(\\d+)',
    name: 'chat',
    component: () => import(/* webpackChunkName: "chat" */ '../views/ChatView.vue'),
  },
  { path: '/channels', name: 'browse-channels', component: () => import('../views/BrowseChannelsView.vue') },
  { path: '/create/channel', name: 'create-channel', component: () => import('../views/CreateChannelView.vue') },
  { path: '/create/room', name: 'create-room', component: () => import('../views/CreateRoomView.vue') },
  { path: '/create/direct', name: 'create-direct', component: () => import('../views/CreateDirectView.vue') },
  {
    path: '/room/:roomId(\\d+)/settings',
    name: 'room-settings',
    component: () => import('../views/RoomSettingsView.vue'),
  },
  {
    path: '/channel/:channelId(\\d+)/settings',
    name: 'channel-settings',
    component: () => import('../views/ChannelSettingsView.vue'),
  },
  { path: '/profile', name: 'profile', component: () => import('../views/ProfileView.vue') },
  { path: '/user/:userId(\\d+)', name: 'user', component: () => import('../views/UserView.vue') },
  { path: '/settings', name: 'settings', component: () => import('../views/SettingsView.vue') },
  {
    path: '/admin/stats',
    name: 'admin-stats',
    component: () => import('../views/AdminStatsView.vue'),
    meta: { title: 'Statistics' },
  },
  {
    path: '/admin',
    name: 'admin',
    component: () => import('../views/AdminView.vue'),
    meta: { title: 'Administration' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { public: true },
  },
];

export function createAppRouter(store: AppStore, restored: Promise<void>): Router {
  const router = createRouter({ history: createWebHistory(), routes });
  installGuards(router, store, restored);
  return router;
}
