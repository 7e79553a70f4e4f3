import type { RoomDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../index';

const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
const bob = { id: 2, username: 'bob', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

function room(id: number, extra: Partial<RoomDto>): RoomDto {
  const base = {
    id,
    kind: 'room' as const,
    name: `r${id}`,
    channelId: 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    members: [],
  };
  return { ...base, memberCount: extra.members?.length ?? 0, ...extra };
}

describe('rooms store', () => {
  function setup() {
    const store = createAppStore();
    store.commit('session/setMe', me);
    store.commit('users/setAll', [me, bob]);
    store.commit('rooms/setAll', {
      rooms: [
        room(1, { kind: 'channel', name: 'all' }),
        room(7, {
          kind: 'direct',
          name: null,
          channelId: null,
          members: [
            { userId: 1, lastReadMessageId: 0 },
            { userId: 2, lastReadMessageId: 0 },
          ],
        }),
      ],
      states: [
        { roomId: 1, volume: 80, notifications: false, unread: 0, lastMessageId: 10 },
        { roomId: 7, volume: 80, notifications: true, unread: 2, lastMessageId: 3 },
      ],
      channels: [{ id: 1, name: 'all', adminId: null, mainRoomId: 1, isPublic: false, topic: '' }],
    });
    return store;
  }

  it('titles a direct room by the other member', () => {
    const store = setup();
    expect(store.getters['rooms/title'](7)).toBe('bob');
    expect(store.getters['rooms/directs'].map((d: { title: string }) => d.title)).toEqual(['bob']);
  });

  it('counts unread only for newer messages from others', () => {
    const store = setup();
    store.commit('rooms/noteMessage', { roomId: 7, messageId: 4, fromOther: true });
    store.commit('rooms/noteMessage', { roomId: 7, messageId: 5, fromOther: false });
    store.commit('rooms/noteMessage', { roomId: 7, messageId: 4, fromOther: true });
    expect(store.state.rooms.states[7]?.unread).toBe(3);
    expect(store.getters['rooms/totalUnread']).toBe(3);
  });

  it('keeps the total unread equal to the sum over rooms through every change of a count', () => {
    const store = setup();
    const sum = () => Object.values(store.state.rooms.states).reduce((total, s) => total + s.unread, 0);
    store.commit('rooms/noteMessage', { roomId: 7, messageId: 9, fromOther: true });
    store.commit('rooms/setUnread', { roomId: 1, unread: 4 });
    store.commit('rooms/setState', { roomId: 8, volume: 80, notifications: true, unread: 5, lastMessageId: 1 });
    store.commit('rooms/setState', { roomId: 7, volume: 80, notifications: true, unread: 1, lastMessageId: 9 });
    expect(store.getters['rooms/totalUnread']).toBe(10);
    store.commit('rooms/removeRoom', 8);
    store.commit('rooms/setUnread', { roomId: 1, unread: 0 });
    expect(store.getters['rooms/totalUnread']).toBe(1);
    expect(store.getters['rooms/totalUnread']).toBe(sum());
  });

  it('moves read pointers forward only', () => {
    const store = setup();
    store.commit('rooms/setReadPointer', { roomId: 7, userId: 2, messageId: 5 });
    store.commit('rooms/setReadPointer', { roomId: 7, userId: 2, messageId: 3 });
    expect(store.state.rooms.byId[7]?.members.find((m) => m.userId === 2)?.lastReadMessageId).toBe(5);
  });

  it('falls back to the all room when the open room disappears', () => {
    const store = setup();
    store.commit('rooms/setActive', 7);
    store.commit('rooms/removeRoom', 7);
    expect(store.state.rooms.activeRoomId).toBe(1);
    expect(store.state.rooms.byId[7]).toBeUndefined();
  });

  it('fills a big room with the loaded list, keeping pointers a receipt moved meanwhile', () => {
    const store = setup();
    store.commit('rooms/upsertRoom', room(9, { memberCount: 300, members: null }));
    store.commit('rooms/setReadPointer', { roomId: 9, userId: 2, messageId: 20 });
    store.commit('rooms/setMembers', {
      roomId: 9,
      members: [
        { userId: 1, lastReadMessageId: 5 },
        { userId: 2, lastReadMessageId: 12 },
      ],
    });
    expect(store.state.rooms.byId[9]).toMatchObject({
      memberCount: 2,
      membersComplete: true,
      members: [
        { userId: 1, lastReadMessageId: 5 },
        { userId: 2, lastReadMessageId: 20 },
      ],
    });
  });

  it('does not invent members of a complete list from read receipts', () => {
    const store = setup();
    store.commit('rooms/setReadPointer', { roomId: 7, userId: 5, messageId: 5 });
    expect(store.state.rooms.byId[7]?.members.map((m) => m.userId)).toEqual([1, 2]);
  });
});
