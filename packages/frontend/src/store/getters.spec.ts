import type { UserDto } from '@pychat/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { getter } from './getters';
import type { TimelineItem } from './modules/messages';
import type { RoomListEntry } from './modules/rooms';
import { createAppStore } from './index';

const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
const bob = { id: 2, username: 'bob', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

// The types are checked by `vue-tsc` (typecheck); a getter whose type changes breaks the line that uses it.
describe(getter.name, () => {
  it("reads the store's namespaced getters, typed", () => {
    const store = createAppStore();
    store.commit('session/setMe', me);
    store.commit('users/setAll', [me, bob]);
    store.commit('rooms/setAll', {
      rooms: [
        { id: 7, kind: 'direct', name: null, channelId: null, adminId: null, p2p: false, memberCount: 2, members: [] },
      ],
      states: [{ roomId: 7, volume: 80, notifications: true, unread: 2, lastMessageId: 3 }],
      channels: [],
    });
    store.commit('rooms/setMembers', {
      roomId: 7,
      members: [
        { userId: 1, lastReadMessageId: 0 },
        { userId: 2, lastReadMessageId: 0 },
      ],
    });

    const title = getter(store, 'rooms/title');
    expectTypeOf(title).toEqualTypeOf<(roomId: number) => string>();
    expect(title(7)).toBe('bob');

    expectTypeOf(getter(store, 'rooms/totalUnread')).toEqualTypeOf<number>();
    expect(getter(store, 'rooms/totalUnread')).toBe(2);

    expectTypeOf(getter(store, 'users/list')).toEqualTypeOf<UserDto[]>();
    expect(getter(store, 'users/list').map((u) => u.username)).toEqual(['bob', 'me']);

    expectTypeOf(getter(store, 'rooms/directs')).toEqualTypeOf<RoomListEntry[]>();
    expect(getter(store, 'rooms/directs')).toBe(store.getters['rooms/directs']);

    expectTypeOf(getter(store, 'messages/timeline')).returns.toEqualTypeOf<TimelineItem[]>();
    expect(getter(store, 'messages/timeline')(7)).toEqual([]);
  });
});
