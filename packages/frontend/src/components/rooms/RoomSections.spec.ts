import type { ChannelDto, RoomDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoomsService } from '../../services/rooms.service';
import { createAppStore } from '../../store';
import ChannelMembersSection from './ChannelMembersSection.vue';
import ChannelRoomsSection from './ChannelRoomsSection.vue';
import RoomDangerSection from './RoomDangerSection.vue';
import RoomGeneralSection from './RoomGeneralSection.vue';
import RoomMemberPicker from './RoomMemberPicker.vue';
import RoomMembersSection from './RoomMembersSection.vue';

const user = (id: number, username: string) => ({
  id,
  username,
  sex: 'secret' as const,
  thumbnail: null,
  lastSeenAt: null,
});
const member = (userId: number) => ({ userId, lastReadMessageId: 0 });

const channel: ChannelDto = { id: 3, name: 'ops', adminId: 1, mainRoomId: 30, isPublic: false, topic: '' };
const mainRoom: RoomDto = {
  id: 30,
  kind: 'channel',
  name: null,
  channelId: 3,
  adminId: null,
  p2p: false,
  pinsAdminOnly: false,
  memberCount: 3,
  members: [member(1), member(2), member(3)],
};
const named: RoomDto = {
  ...mainRoom,
  id: 31,
  kind: 'room',
  name: 'deploys',
  adminId: 1,
  memberCount: 2,
  members: [member(1), member(2)],
};

/** Me (1, online, admin of the channel and of "deploys"), bob (2) and carol (3), both offline. */
function setup(rooms: Partial<RoomsService>, roomList: RoomDto[] = [mainRoom, named]) {
  const store = createAppStore();
  store.commit('session/setMe', user(1, 'me'));
  store.commit('session/setConnection', 'online');
  for (const u of [user(1, 'me'), user(2, 'bob'), user(3, 'carol')]) {
    store.commit('users/upsert', u);
  }
  store.commit('presence/setOnline', [1]);
  store.commit('rooms/setAll', { rooms: roomList, states: [], channels: [channel] });
  const toast = vi.fn();
  const push = vi.fn().mockResolvedValue(undefined);
  const global = {
    plugins: [store],
    provide: {
      rooms: { loadMembers: vi.fn().mockResolvedValue(undefined), ...rooms },
      notifications: { toast },
      presence: { show: vi.fn() },
    },
    mocks: { $router: { push } },
    stubs: { 'router-link': { template: '<a><slot /></a>' } },
  };
  return { global, toast, push };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('room settings sections', () => {
  it('RoomMembersSection lists members online first with their status and invites the channel members not in', async () => {
    const invite = vi.fn().mockResolvedValue(undefined);
    const { global, toast } = setup({ invite });
    const wrapper = mount(RoomMembersSection, { props: { roomId: 31 }, global });
    const rows = wrapper
      .findAll('.member')
      .map((li) => [
        li.find('.dot').classes('online') ? 'dot:online' : 'dot:offline',
        ...li.findAll('.member-name, .badge, .visually-hidden').map((e) => e.text()),
      ]);
    expect(rows).toEqual([
      ['dot:online', 'me', 'you', 'admin', 'online'],
      ['dot:offline', 'bob', 'offline'],
    ]);
    expect(wrapper.findAll('input[type="checkbox"]')).toHaveLength(1); // carol only
    await wrapper.find('input[type="checkbox"]').setValue(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(invite).toHaveBeenCalledWith(31, [3]);
    expect(toast).toHaveBeenCalledWith('success', 'Invited 1 user');
  });

  it('RoomDangerSection deletes a room only after the confirmation, then goes to the "all" room', async () => {
    const del = vi.fn().mockResolvedValue(undefined);
    const { global, push } = setup({ delete: del });
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal('confirm', confirm);
    const wrapper = mount(RoomDangerSection, { props: { roomId: 31 }, global });
    const button = wrapper.findAll('button').find((b) => b.text() === 'Delete room')!;
    await button.trigger('click');
    expect(confirm).toHaveBeenCalledWith('Delete the room "deploys" for everyone? This cannot be undone.');
    expect(del).not.toHaveBeenCalled();
    await button.trigger('click');
    await flushPromises();
    expect(del).toHaveBeenCalledWith(31);
    expect(push).toHaveBeenCalledWith('/chat/1');
  });

  it('RoomDangerSection deletes a channel after its own confirmation and shows a refusal', async () => {
    const deleteChannel = vi.fn().mockRejectedValue(new Error('nope'));
    const { global } = setup({ deleteChannel });
    vi.stubGlobal('confirm', vi.fn().mockReturnValue(true));
    const wrapper = mount(RoomDangerSection, { props: { channelId: 3 }, global });
    await wrapper.find('button.danger').trigger('click');
    await flushPromises();
    expect(deleteChannel).toHaveBeenCalledWith(3);
    expect(wrapper.find('[role="alert"]').exists()).toBe(true);
  });

  it('ChannelRoomsSection lists the rooms I am not in with a Join that joins and opens the room', async () => {
    const channelRooms = vi.fn().mockResolvedValue([{ id: 40, name: 'lobby', memberCount: 1 }]);
    const joinRoom = vi.fn().mockResolvedValue(40);
    const { global, push } = setup({ channelRooms, joinRoom });
    const wrapper = mount(ChannelRoomsSection, { props: { channelId: 3 }, global });
    await flushPromises();
    expect(channelRooms).toHaveBeenCalledWith(3);
    await wrapper.find('button[aria-label="Join lobby"]').trigger('click');
    await flushPromises();
    expect(joinRoom).toHaveBeenCalledWith(40);
    expect(push).toHaveBeenCalledWith('/chat/40');
  });

  it('ChannelMembersSection lists the channel members by name and marks the admin', () => {
    const { global } = setup({});
    const wrapper = mount(ChannelMembersSection, { props: { channelId: 3 }, global });
    const rows = wrapper.findAll('.members li').map((li) => li.findAll('a, span').map((e) => e.text()));
    expect(rows).toEqual([['bob'], ['carol'], ['me', 'admin']]);
  });

  it('RoomGeneralSection saves a channel topic and public switch through updateChannel', async () => {
    const updateChannel = vi.fn().mockResolvedValue(undefined);
    const { global, toast } = setup({ updateChannel });
    const wrapper = mount(RoomGeneralSection, { props: { channelId: 3 }, global });
    await wrapper.find('#channel-settings-topic').setValue('on-call');
    await wrapper.find('[role="switch"]').trigger('click');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(updateChannel).toHaveBeenCalledWith({ channelId: 3, topic: 'on-call', isPublic: true });
    expect(toast).toHaveBeenCalledWith('success', 'Channel saved');
  });

  it('RoomMemberPicker asks the server for the members of a channel whose main room is not in the store', async () => {
    const members = vi.fn().mockResolvedValue([member(1), member(2)]);
    const { global } = setup({ members }, [named]);
    const wrapper = mount(RoomMemberPicker, {
      props: { modelValue: [], channelId: 3, exclude: [1], label: 'Add', emptyText: 'e', loadingText: 'Loading…' },
      global,
    });
    expect(wrapper.text()).toBe('Loading…');
    await flushPromises();
    expect(members).toHaveBeenCalledWith(30);
    expect(wrapper.findAll('.name').map((n) => n.text())).toEqual(['bob']);
  });
});
