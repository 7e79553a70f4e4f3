import type { RoomDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import { shallowMount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import ChatMessage from '../chat/ChatMessage.vue';
import UserAvatar from '../users/UserAvatar.vue';
import RoomSidebar from './RoomSidebar.vue';

/** Direct rooms: listed on their own, without a channel. */
function direct(id: number, otherId: number): RoomDto {
  const members = [1, otherId].map((userId) => ({ userId, lastReadMessageId: 0 }));
  return {
    id,
    kind: 'direct',
    name: null,
    channelId: null,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 2,
    members,
  };
}

function channelRoom(id: number, channelId: number, name: string): RoomDto {
  const members = [{ userId: 1, lastReadMessageId: 0 }];
  return {
    id,
    kind: 'channel',
    name,
    channelId,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 1,
    members,
  };
}

const linkStub = { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } };

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

  it('offers "add room" and settings for a channel, but not for "all", which nobody administers', () => {
    const store = createAppStore();
    store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
    store.commit('rooms/setAll', {
      rooms: [channelRoom(1, 1, 'all'), channelRoom(4, 2, 'team')],
      states: [],
      channels: [
        { id: 1, name: 'all', adminId: null, mainRoomId: 1 },
        { id: 2, name: 'team', adminId: 1, mainRoomId: 4 },
      ],
    });
    const wrapper = shallowMount(RoomSidebar, { global: { plugins: [store], stubs: linkStub } });
    const hrefs = wrapper.findAll('a').map((a) => a.attributes('href'));
    expect(hrefs).toContain('/create/room?channelId=2');
    expect(hrefs).toContain('/channel/2/settings');
    expect(hrefs).not.toContain('/create/room?channelId=1');
    expect(hrefs).not.toContain('/channel/1/settings');
  });

  it('draws my initial in the colour my avatar has in messages and on profiles', () => {
    const store = createAppStore();
    const me = { id: 3, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
    store.commit('session/setMe', me);
    store.commit('users/setAll', [me]);
    const global = { plugins: [store], stubs: linkStub };
    const background = (el: Element | undefined) => (el as HTMLElement | undefined)?.style.background;

    const sidebar = background(shallowMount(RoomSidebar, { global }).find('.me .avatar').element);
    const profile = background(shallowMount(UserAvatar, { props: { userId: 3 }, global }).find('.initial').element);
    const message = background(
      shallowMount(ChatMessage, {
        props: {
          item: {
            kind: 'message',
            message: {
              id: 9,
              roomId: 1,
              senderId: 3,
              content: 'hi',
              parentId: null,
              threadCount: 0,
              mentions: [],
              createdAt: 0,
              editedAt: null,
              deleted: false,
              reactions: [],
              pinnedAt: null,
              pinnedBy: null,
            },
          },
        },
        global,
      }).find('.gutter .avatar').element,
    );
    expect(profile).toBeTruthy();
    expect(sidebar).toBe(profile);
    expect(message).toBe(profile);
  });
});
