import type { ChannelDto, RoomDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { PresenceSubscription, visibleRoomIds, visibleUserIds } from '../services/presence-subscription';
import { createAppStore } from '../store';
import BrowseChannelsView from '../views/BrowseChannelsView.vue';
import ChatComposer from './chat/ChatComposer.vue';
import RoomMemberPicker from './rooms/RoomMemberPicker.vue';
import RoomMembersSection from './rooms/RoomMembersSection.vue';

/** Views register what they show through the real subscription service; the tests read the resulting set. */
const user = (id: number, username: string) => ({
  id,
  username,
  sex: 'secret' as const,
  thumbnail: null,
  lastSeenAt: null,
});
const member = (userId: number) => ({ userId, lastReadMessageId: 0 });

const channel: ChannelDto = { id: 3, name: 'ops', adminId: 1, mainRoomId: 30, isPublic: true, topic: '' };

/** A channel whose main room (30) has `size` members: me (1) and users 100, 101, … */
function setup(size: number) {
  const store = createAppStore();
  store.commit('session/setMe', user(1, 'me'));
  store.commit('session/setConnection', 'online');
  const ids = [1, ...Array.from({ length: size - 1 }, (_, i) => 100 + i)];
  for (const id of ids) {
    store.commit('users/upsert', user(id, id === 1 ? 'me' : `u${id}`));
  }
  const main: RoomDto = {
    id: 30,
    kind: 'channel',
    name: null,
    channelId: 3,
    adminId: 1,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: size,
    members: ids.map(member),
  };
  store.commit('rooms/setAll', { rooms: [main], states: [], channels: [channel] });
  const request = vi.fn().mockResolvedValue({ online: [], offline: [] });
  const presence = new PresenceSubscription(store, { request, isOpen: true } as never, { lastSeen: vi.fn() }, 0);
  const global = {
    plugins: [store],
    provide: {
      presence,
      rooms: {
        loadMembers: vi.fn().mockResolvedValue(undefined),
        directory: vi.fn().mockResolvedValue({
          channels: [
            { id: 3, name: 'ops', topic: '', memberCount: size, joined: true },
            { id: 4, name: 'lobby', topic: '', memberCount: 9, joined: false },
          ],
          nextAfterId: null,
        }),
      },
      notifications: { toast: vi.fn() },
      chat: { send: vi.fn(), saveDraft: vi.fn().mockResolvedValue(undefined), typing: vi.fn() },
      api: { features: vi.fn().mockResolvedValue({ gifs: false }) },
    },
    mocks: { $router: { push: vi.fn() } },
    stubs: { 'router-link': { template: '<a><slot /></a>' }, AppBackLink: true },
  };
  return { store, global, presence, request };
}

describe('views register the people they show for presence', () => {
  it('the member picker: its first candidates by name while mounted, nothing after', async () => {
    const { store, global } = setup(5);
    const wrapper = mount(RoomMemberPicker, {
      props: { modelValue: [], channelId: null, exclude: [1], label: 'Add', emptyText: 'e', loadingText: 'l' },
      global,
    });
    await flushPromises();
    expect(Object.values(store.state.presence.shown)).toEqual([[100, 101, 102, 103]]);

    wrapper.unmount();
    expect(store.state.presence.shown).toEqual({});
  });

  it("the open room's member list: its first members in the room's order", async () => {
    const { store, global } = setup(5);
    const wrapper = mount(RoomMembersSection, { props: { roomId: 30 }, global });
    await flushPromises();
    const shown = store.state.presence.shown['room-members'] ?? [];
    // Rendering hundreds of rows is slow here: the cut at PRESENCE_SHOWN_PER_VIEW is the slice in the component.
    expect(shown).toEqual([1, 100, 101, 102, 103]);

    wrapper.unmount();
    expect(store.state.presence.shown['room-members']).toBeUndefined();
  });

  it('the @mention list while typing, and before the big open room fills the subscription', async () => {
    const { store, global } = setup(2 * LIMITS.presenceSubscribeMax);
    store.commit('rooms/setActive', 30);
    const wrapper = mount(ChatComposer, { props: { roomId: 30 }, global });
    // The last members of a room too big to follow whole: without the mention list they are not followed.
    const late = 100 + 2 * LIMITS.presenceSubscribeMax - 10;
    expect(visibleUserIds(store.state)).not.toContain(late);

    await wrapper.get('textarea').setValue(`hi @u${late}`);
    await wrapper.get('textarea').trigger('input');
    await flushPromises();
    expect(wrapper.findAll('.mentions li').map((li) => li.text())).toEqual([`@u${late}`]);
    expect(visibleUserIds(store.state)).toContain(late);
    expect(visibleUserIds(store.state)).toHaveLength(LIMITS.presenceSubscribeMax);

    wrapper.unmount();
    expect(visibleUserIds(store.state)).not.toContain(late);
  });

  it('browse channels: the online count of the channels I am in, not of the others, shown beside the members', async () => {
    const { store, global, presence, request } = setup(3);
    request.mockResolvedValue({ online: [], offline: [], rooms: [{ roomId: 30, online: 2 }] });
    const wrapper = mount(BrowseChannelsView, { global });
    await flushPromises();
    expect(visibleRoomIds(store.state)).toEqual([30]);

    await presence.flush();
    expect(request).toHaveBeenLastCalledWith('presence.subscribe', expect.objectContaining({ roomIds: [30] }));
    await flushPromises();
    expect(wrapper.findAll('.count').map((c) => c.text())).toEqual(['3 members · 2 online', '9 members']);

    wrapper.unmount();
    expect(visibleRoomIds(store.state)).toEqual([]);
  });

  it('the open room: its count is followed only when it is big', () => {
    const small = setup(5);
    small.store.commit('rooms/setActive', 30);
    expect(visibleRoomIds(small.store.state)).toEqual([]);

    const big = setup(LIMITS.roomMembersInlineMax + 1);
    big.store.commit('rooms/setActive', 30);
    expect(visibleRoomIds(big.store.state)).toEqual([30]);
  });
});
