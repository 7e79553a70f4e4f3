import type { RoomDto } from '@pychat/protocol';
import { flushPromises, shallowMount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ChatService } from '../services/chat.service';
import type { RoomsService } from '../services/rooms.service';
import { WsRequestError } from '../services/ws.service';
import { createAppStore } from '../store';
import ChatView from './ChatView.vue';

function room(id: number, extra: Partial<RoomDto> = {}): RoomDto {
  return {
    id,
    kind: 'room',
    name: `r${id}`,
    channelId: 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 0,
    members: [],
    ...extra,
  };
}

function mountRoom(
  roomId: number,
  connection: 'online' | 'offline' = 'online',
  loadNewest = vi.fn().mockResolvedValue(undefined),
) {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('session/setConnection', connection);
  store.commit('rooms/setAll', {
    rooms: [
      room(5, { memberCount: 300, members: null }),
      room(6, {
        memberCount: 2,
        members: [
          { userId: 1, lastReadMessageId: 0 },
          { userId: 2, lastReadMessageId: 0 },
        ],
      }),
    ],
    states: [],
    channels: [],
  });
  const chat = { loadNewest } as unknown as ChatService;
  const rooms = { loadMembers: vi.fn().mockResolvedValue(undefined), setActive: vi.fn() } as unknown as RoomsService;
  const wrapper = shallowMount(ChatView, {
    global: {
      plugins: [store],
      provide: { chat, rooms, notifications: { toast: vi.fn() } },
      mocks: { $route: { params: { roomId: String(roomId) }, query: {} }, $router: { push: vi.fn() } },
      stubs: { 'router-link': true },
    },
  });
  return { store, wrapper, rooms, loadNewest };
}

describe('ChatView', () => {
  it('loads the member list of a big room when it opens, and counts members from memberCount', () => {
    const { wrapper, rooms } = mountRoom(5);
    expect(rooms.loadMembers).toHaveBeenCalledWith(5);
    expect(wrapper.text()).toContain('300 members');
  });

  it("shows a big room's online count from the server (room.online), not the few members this tab follows", async () => {
    const { store, wrapper } = mountRoom(5);
    store.commit('presence/setOnline', [1, 2]);
    store.commit('presence/setRoomOnline', [{ roomId: 5, online: 42 }]);
    await flushPromises();
    expect(wrapper.text()).toContain('300 members · 42 online');

    store.commit('presence/roomOnline', { roomId: 5, online: 41 });
    await flushPromises();
    expect(wrapper.text()).toContain('300 members · 41 online');
  });

  it('loads it once back online, not while offline', async () => {
    const { store, rooms } = mountRoom(5, 'offline');
    expect(rooms.loadMembers).not.toHaveBeenCalled();
    store.commit('session/setConnection', 'online');
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(rooms.loadMembers).toHaveBeenCalledWith(5);
  });

  it('does not ask for a small room whose members came inline', () => {
    const { wrapper, rooms } = mountRoom(6);
    expect(rooms.loadMembers).not.toHaveBeenCalled();
    expect(wrapper.text()).toContain('2 members · 0 online');
  });

  it('shows a failed history load with a Retry that loads it again', async () => {
    const loadNewest = vi
      .fn()
      .mockRejectedValueOnce(new WsRequestError({ code: 'INTERNAL', message: 'database unavailable' }))
      .mockResolvedValue(undefined);
    const { wrapper } = mountRoom(6, 'online', loadNewest);
    await flushPromises();
    const alert = wrapper.find('[role="alert"]');
    expect(alert.exists()).toBe(true);
    expect(alert.text()).toContain('Could not load the messages. database unavailable');
    await alert.find('button').trigger('click');
    await flushPromises();
    expect(loadNewest).toHaveBeenCalledTimes(2);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('opens the quick switcher with Ctrl+K and closes it with Ctrl+K again', async () => {
    const { wrapper } = mountRoom(6);
    expect(wrapper.findComponent({ name: 'RoomSwitcher' }).exists()).toBe(false);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true }));
    await flushPromises();
    expect(wrapper.findComponent({ name: 'RoomSwitcher' }).exists()).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true }));
    await flushPromises();
    expect(wrapper.findComponent({ name: 'RoomSwitcher' }).exists()).toBe(false);
    wrapper.unmount();
  });
});
