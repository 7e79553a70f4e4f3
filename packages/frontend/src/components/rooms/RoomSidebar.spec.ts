import type { RoomDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import { shallowMount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import RoomSidebar from './RoomSidebar.vue';

/** Direct rooms: listed on their own, without a channel. */
function direct(id: number, otherId: number): RoomDto {
  const members = [1, otherId].map((userId) => ({ userId, lastReadMessageId: 0 }));
  return { id, kind: 'direct', name: null, channelId: null, adminId: null, p2p: false, memberCount: 2, members };
}

function state(roomId: number, unread: number) {
  return { roomId, volume: 80, notifications: true, unread, lastMessageId: 0 };
}

describe('RoomSidebar', () => {
  it('shows an exact unread count below the server cap, and "99+" at it', () => {
    const store = createAppStore();
    store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
    store.commit('rooms/setAll', {
      rooms: [direct(5, 2), direct(6, 3)],
      states: [state(5, 12), state(6, LIMITS.unreadCountMax)],
      channels: [],
    });

    const wrapper = shallowMount(RoomSidebar, {
      global: { plugins: [store], stubs: { 'router-link': { template: '<a><slot /></a>' } } },
    });

    const badges = wrapper.findAll('.badge').map((badge) => badge.text());
    expect(badges).toContain('12');
    expect(badges).toContain('99+');
    expect(badges).not.toContain(String(LIMITS.unreadCountMax));
  });
});
