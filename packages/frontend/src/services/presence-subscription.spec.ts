import type { RoomDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import { PresenceSubscription, visibleRoomIds, visibleUserIds } from './presence-subscription';

const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

function room(id: number, kind: RoomDto['kind'], userIds: number[]): RoomDto {
  return {
    id,
    kind,
    name: kind === 'direct' ? '' : `room${id}`,
    channelId: kind === 'direct' ? null : 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: userIds.length,
    members: userIds.map((userId) => ({ userId, lastReadMessageId: 0 })),
  };
}

function setup() {
  const store = createAppStore();
  store.commit('session/setMe', me);
  store.commit('rooms/setAll', {
    rooms: [room(10, 'channel', [1, 2, 3]), room(11, 'channel', [1, 4, 5]), room(12, 'direct', [1, 6])],
    states: [],
    channels: [],
  });
  store.commit('rooms/setActive', 10);
  return store;
}

describe(visibleUserIds.name, () => {
  it("is the open room's members, every direct partner and what views show, not other rooms' members", () => {
    const store = setup();
    store.commit('presence/show', { key: 'picker', userIds: [7, 1] });

    expect(visibleUserIds(store.state)).toEqual([1, 2, 3, 6, 7]);

    store.commit('rooms/setActive', 11);
    store.commit('presence/show', { key: 'picker', userIds: [] });
    expect(visibleUserIds(store.state)).toEqual([1, 4, 5, 6]);
  });

  it(`stops at ${LIMITS.presenceSubscribeMax}, keeping the open room's members first`, () => {
    const store = setup();
    store.commit('presence/show', {
      key: 'directory',
      userIds: Array.from({ length: 2 * LIMITS.presenceSubscribeMax }, (_, i) => 1000 + i),
    });

    const ids = visibleUserIds(store.state);
    expect(ids).toHaveLength(LIMITS.presenceSubscribeMax);
    expect(ids.slice(0, 4)).toEqual([1, 2, 3, 6]);
  });
});

describe(visibleRoomIds.name, () => {
  it("follows a big open room's count, and puts its members after what views show", () => {
    const store = setup();
    const size = LIMITS.presenceSubscribeMax + 10;
    const big = {
      ...room(
        20,
        'channel',
        Array.from({ length: size }, (_, i) => 2000 + i),
      ),
      memberCount: size,
    };
    store.commit('rooms/upsertRoom', big);
    store.commit('rooms/setActive', 20);
    store.commit('presence/show', { key: 'mentions', userIds: [9] });

    expect(visibleRoomIds(store.state)).toEqual([20]);
    const ids = visibleUserIds(store.state);
    expect(ids).toHaveLength(LIMITS.presenceSubscribeMax);
    expect(ids).toEqual(expect.arrayContaining([6, 9]));
  });

  it(`adds the rooms views show, up to ${LIMITS.presenceRoomsMax}`, () => {
    const store = setup();
    store.commit('presence/showRooms', { key: 'directory', roomIds: Array.from({ length: 80 }, (_, i) => 100 + i) });

    expect(visibleRoomIds(store.state)).toHaveLength(LIMITS.presenceRoomsMax);
  });
});

describe(PresenceSubscription.name, () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function start() {
    const store = setup();
    const request = vi.fn().mockResolvedValue({ online: [2], offline: [{ userId: 3, lastSeenAt: 500 }] });
    const ws = { request, isOpen: true };
    const sync = { lastSeen: vi.fn().mockResolvedValue(undefined) };
    const sut = new PresenceSubscription(store, ws as never, sync, 300);
    sut.start();
    return { store, request, sync, sut };
  }

  it('subscribes a new socket at once and applies the answer', async () => {
    const { store, request, sync, sut } = start();
    store.commit('presence/setOnline', [9]);

    await sut.onReady();

    expect(request).toHaveBeenCalledWith('presence.subscribe', { userIds: [1, 2, 3, 6], roomIds: [] });
    expect(store.state.presence.online).toEqual({ 2: true });
    expect(sync.lastSeen).toHaveBeenCalledWith([{ userId: 3, lastSeenAt: 500 }]);
  });

  it("applies the answer's room counts; room.online then moves only a room still followed", async () => {
    const { store, request, sut } = start();
    store.commit('presence/showRooms', { key: 'directory', roomIds: [11] });
    request.mockResolvedValue({ online: [], offline: [], rooms: [{ roomId: 11, online: 4 }] });

    await sut.onReady();

    expect(request).toHaveBeenCalledWith('presence.subscribe', { userIds: [1, 2, 3, 6], roomIds: [11] });
    expect(store.state.presence.roomOnline).toEqual({ 11: 4 });
    store.commit('presence/roomOnline', { roomId: 11, online: 5 });
    store.commit('presence/roomOnline', { roomId: 10, online: 7 });
    expect(store.state.presence.roomOnline).toEqual({ 11: 5 });
  });

  it('sends one subscribe per burst of changes, and none when the set is what the socket has', async () => {
    const { store, request, sut } = start();
    await sut.onReady();
    request.mockClear();

    store.commit('rooms/setActive', 11);
    await vi.advanceTimersByTimeAsync(100);
    store.commit('presence/show', { key: 'picker', userIds: [8] });
    await vi.advanceTimersByTimeAsync(100);
    expect(request).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(request).toHaveBeenCalledTimes(1);
    expect(request).toHaveBeenCalledWith('presence.subscribe', { userIds: [1, 4, 5, 6, 8], roomIds: [] });

    store.commit('presence/show', { key: 'other', userIds: [4] });
    await vi.advanceTimersByTimeAsync(400);
    expect(request).toHaveBeenCalledTimes(1);
  });
});
