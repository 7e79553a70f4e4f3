import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RoomsService } from '../services/rooms.service';
import { createAppStore } from '../store';
import BrowseChannelsView from './BrowseChannelsView.vue';

describe('BrowseChannelsView', () => {
  // Opened by a fresh page load (a link, a reload), the view exists before the socket is up.
  it('asks for the directory once the connection is up, not before, and lists it', async () => {
    const store = createAppStore();
    store.commit('session/setConnection', 'connecting');
    const directory = vi.fn().mockResolvedValue({
      channels: [{ id: 4, name: 'lobby', topic: 'Say hi', memberCount: 1, joined: false }],
      nextAfterId: null,
    });
    const wrapper = mount(BrowseChannelsView, {
      global: {
        plugins: [store],
        provide: { rooms: { directory } as unknown as RoomsService, presence: { showRooms: vi.fn() } },
        mocks: { $router: { push: vi.fn() } },
        stubs: { 'router-link': true, AppBackLink: true },
      },
    });
    await flushPromises();
    expect(directory).not.toHaveBeenCalled();
    expect(wrapper.text()).not.toContain('Could not load');

    store.commit('session/setConnection', 'online');
    await flushPromises();
    expect(directory).toHaveBeenCalledOnce();
    expect(wrapper.text()).toContain('lobby');
    expect(wrapper.text()).toContain('1 member');
  });
});
