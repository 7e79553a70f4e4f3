import type { RoomDto } from '@pychat/protocol';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RoomsService } from '../services/rooms.service';
import { createAppStore } from '../store';
import RoomSettingsView from './RoomSettingsView.vue';

function mountDirect(p2p: boolean) {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('session/setConnection', 'online');
  const direct: RoomDto = {
    id: 7,
    kind: 'direct',
    name: null,
    channelId: null,
    adminId: null,
    p2p,
    pinsAdminOnly: false,
    memberCount: 2,
    members: [
      { userId: 1, lastReadMessageId: 0 },
      { userId: 2, lastReadMessageId: 0 },
    ],
  };
  store.commit('rooms/setAll', { rooms: [direct], states: [], channels: [] });
  const rooms = { loadMembers: vi.fn().mockResolvedValue(undefined), setActive: vi.fn() } as unknown as RoomsService;
  return mount(RoomSettingsView, {
    global: {
      plugins: [store],
      provide: { rooms, notifications: { toast: vi.fn() } },
      mocks: { $route: { params: { roomId: '7' }, query: {} }, $router: { push: vi.fn() } },
      stubs: { 'router-link': true },
    },
  });
}

describe('RoomSettingsView of a direct conversation', () => {
  // P2P rooms carry messages over data channels now (docs/p2p.md §7): the switch is offered both ways, and says
  // where the history lives.
  it('offers the peer-to-peer switch, saying the server never stores those messages', () => {
    const wrapper = mountDirect(false);
    expect(wrapper.text()).toContain('Conversation with');
    const toggle = wrapper.get('[role="switch"]');
    expect(toggle.attributes('aria-checked')).toBe('false');
    expect(toggle.text()).toMatch(/the server never stores them/);
    expect(toggle.text()).toMatch(/Server history and peer-to-peer history are separate/);
  });

  it('offers switching a p2p room back', () => {
    const wrapper = mountDirect(true);
    expect(wrapper.get('[role="switch"]').attributes('aria-checked')).toBe('true');
  });
});
