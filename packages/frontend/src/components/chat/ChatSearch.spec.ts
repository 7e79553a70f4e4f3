import type { MessageDto, RoomDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ChatService } from '../../services/chat.service';
import { createAppStore } from '../../store';
import ChatSearch from './ChatSearch.vue';

function msg(id: number, roomId: number): MessageDto {
  return {
    id,
    roomId,
    senderId: 2,
    content: `needle ${id}`,
    parentId: null,
    threadCount: 0,
    mentions: [],
    attachments: [],
    createdAt: 1000,
    editedAt: null,
    deleted: false,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
  };
}

const room = (id: number, name: string): RoomDto => ({
  id,
  kind: 'room',
  name,
  channelId: 1,
  adminId: null,
  p2p: false,
  pinsAdminOnly: false,
  memberCount: 1,
  members: [],
});

function mountSearch() {
  const store = createAppStore();
  store.commit('rooms/setAll', { rooms: [room(5, 'here'), room(8, 'elsewhere')], states: [], channels: [] });
  store.commit('users/setAll', [{ id: 2, username: 'bob', sex: 'secret', thumbnail: null, lastSeenAt: null }]);
  const search = vi.fn().mockResolvedValue({ messages: [msg(30, 8), msg(20, 5)], hasMore: false });
  const wrapper = mount(ChatSearch, {
    props: { roomId: 5 },
    global: {
      plugins: [store],
      provide: { chat: { search } as unknown as ChatService, notifications: { toast: vi.fn() } },
    },
  });
  return { wrapper, search };
}

describe('ChatSearch', () => {
  it('searches this room by default, and all my rooms when asked, naming the room of each hit', async () => {
    const { wrapper, search } = mountSearch();
    await wrapper.find('input[type="search"]').setValue('needle');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(search).toHaveBeenLastCalledWith(5, 'needle', 0);
    expect(wrapper.find('.where').exists()).toBe(false);

    await wrapper.find('input[type="checkbox"]').setValue(true);
    await flushPromises();
    expect(search).toHaveBeenLastCalledWith(null, 'needle', 0);
    expect(wrapper.findAll('.hit .where').map((w) => w.text())).toEqual(['#elsewhere', '#here']);
  });

  it('asks to show a hit in context when it is clicked', async () => {
    const { wrapper } = mountSearch();
    await wrapper.find('input[type="checkbox"]').setValue(true);
    await wrapper.find('input[type="search"]').setValue('needle');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    await wrapper.findAll('.hit')[0].trigger('click');
    expect(wrapper.emitted('jump')).toEqual([[msg(30, 8)]]);
  });
});
