import type { RoomDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RoomsService } from '../../services/rooms.service';
import { createAppStore } from '../../store';
import RoomSwitcher from './RoomSwitcher.vue';

function room(id: number, extra: Partial<RoomDto>): RoomDto {
  return {
    id,
    kind: 'room',
    name: `r${id}`,
    channelId: 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 1,
    members: [{ userId: 1, lastReadMessageId: 0 }],
    ...extra,
  };
}

function mountSwitcher() {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  const user = (id: number, username: string) => ({
    id,
    username,
    sex: 'secret' as const,
    thumbnail: null,
    lastSeenAt: null,
  });
  store.commit('users/setAll', [user(1, 'me'), user(2, 'bob'), user(3, 'carol')]);
  store.commit('rooms/setAll', {
    rooms: [
      room(1, { kind: 'channel', name: 'all' }),
      room(7, { name: 'backlog' }),
      room(9, {
        kind: 'direct',
        name: null,
        channelId: null,
        members: [
          { userId: 1, lastReadMessageId: 0 },
          { userId: 3, lastReadMessageId: 0 },
        ],
      }),
    ],
    states: [],
    channels: [{ id: 1, name: 'all', topic: '', adminId: null, public: true }],
  });
  const rooms = {
    directory: vi.fn().mockResolvedValue({
      channels: [
        { id: 1, name: 'all', topic: '', memberCount: 3, joined: true },
        { id: 4, name: 'bazaar', topic: '', memberCount: 9, joined: false },
      ],
      nextAfterId: null,
    }),
    openDirect: vi.fn().mockResolvedValue(12),
    joinChannel: vi.fn().mockResolvedValue(40),
  };
  const push = vi.fn().mockResolvedValue(undefined);
  const wrapper = mount(RoomSwitcher, {
    attachTo: document.body,
    global: { plugins: [store], provide: { rooms: rooms as unknown as RoomsService }, mocks: { $router: { push } } },
  });
  return { wrapper, rooms, push };
}

describe('RoomSwitcher', () => {
  it('lists rooms, people and public channels I am not in, filtered as I type', async () => {
    const { wrapper } = mountSwitcher();
    await flushPromises();
    const labels = () => wrapper.findAll('[role="option"] .label').map((o) => o.text());
    expect(labels()).toEqual(['all', 'backlog', 'bob', 'carol', 'bazaar']);
    await wrapper.find('input').setValue('BA');
    expect(labels()).toEqual(['backlog', 'bazaar']);
  });

  it('moves with the arrows, opens the chosen room with Enter and closes', async () => {
    const { wrapper, push } = mountSwitcher();
    await flushPromises();
    const input = wrapper.find('input');
    await input.setValue('b');
    await input.trigger('keydown', { key: 'ArrowDown' });
    await input.trigger('keydown', { key: 'ArrowDown' });
    await input.trigger('keydown', { key: 'ArrowUp' });
    expect(wrapper.find('[aria-selected="true"] .label').text()).toBe('bob');
    await input.setValue('backl');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(push).toHaveBeenCalledWith('/chat/7');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('opens the existing direct room with a person, creates one otherwise, and joins a public channel', async () => {
    const { wrapper, push, rooms } = mountSwitcher();
    await flushPromises();
    const input = wrapper.find('input');
    await input.setValue('carol');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(push).toHaveBeenLastCalledWith('/chat/9');
    await input.setValue('bob');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(rooms.openDirect).toHaveBeenCalledWith(2);
    expect(push).toHaveBeenLastCalledWith('/chat/12');
    await input.setValue('bazaar');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(rooms.joinChannel).toHaveBeenCalledWith(4);
    expect(push).toHaveBeenLastCalledWith('/chat/40');
  });

  it('closes on Escape', async () => {
    const { wrapper } = mountSwitcher();
    await wrapper.find('input').trigger('keydown', { key: 'Escape' });
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
