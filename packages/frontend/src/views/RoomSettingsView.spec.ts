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
  // Peer-to-peer rooms cannot carry messages yet: flipping the switch broke the conversation for both people.
  it('does not offer the peer-to-peer switch', () => {
    const wrapper = mountDirect(false);
    expect(wrapper.text()).toContain('Conversation with');
    expect(wrapper.text()).not.toMatch(/peer-to-peer/i);
    expect(wrapper.find('input[type="checkbox"]').exists()).toBe(false);
  });

  it('offers it only to switch an already flipped room back', () => {
    const wrapper = mountDirect(true);
    expect(wrapper.text()).toMatch(/Switch it off to chat again/);
  });
});
