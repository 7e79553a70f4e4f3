import type { RoomDto, RoomMemberDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import type { LocalDbService } from './local-db.service';
import { RoomsService } from './rooms.service';
import type { WsService } from './ws.service';

const members: RoomMemberDto[] = [
  { userId: 1, lastReadMessageId: 4 },
  { userId: 2, lastReadMessageId: 9 },
];

function room(extra: Partial<RoomDto> = {}): RoomDto {
  return {
    id: 5,
    kind: 'room',
    name: 'big',
    channelId: 1,
    adminId: null,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: 300,
    members: null,
    ...extra,
  };
}

function setup(isOpen = true) {
  const store = createAppStore();
  let answer: (value: { members: RoomMemberDto[] }) => void = () => undefined;
  const request = vi.fn(
    () =>
      new Promise<{ members: RoomMemberDto[] }>((resolve) => {
        answer = resolve;
      }),
  );
  const ws = { isOpen, request } as unknown as WsService;
  const rooms = new RoomsService(store, ws, {} as LocalDbService);
  return { store, rooms, request, reply: () => answer({ members }) };
}

describe('RoomsService.loadMembers', () => {
  it('loads a big room’s members once, however many views ask at the same time', async () => {
    const { store, rooms, request, reply } = setup();
    store.commit('rooms/upsertRoom', room());
    const first = rooms.loadMembers(5);
    const second = rooms.loadMembers(5);
    reply();
    await Promise.all([first, second]);
    expect(request).toHaveBeenCalledOnce();
    expect(request).toHaveBeenCalledWith('room.members', { roomId: 5 });
    expect(store.state.rooms.byId[5]).toMatchObject({ members, membersComplete: true });
    await rooms.loadMembers(5);
    expect(request).toHaveBeenCalledOnce();
  });

  it('does not ask for a room whose list came inline, nor while offline', async () => {
    const small = setup();
    small.store.commit('rooms/upsertRoom', room({ memberCount: 2, members }));
    await small.rooms.loadMembers(5);
    expect(small.request).not.toHaveBeenCalled();

    const offline = setup(false);
    offline.store.commit('rooms/upsertRoom', room());
    await offline.rooms.loadMembers(5);
    expect(offline.request).not.toHaveBeenCalled();
  });

  it('asks again when the room changed while the answer was on its way', async () => {
    const { store, rooms, request, reply } = setup();
    store.commit('rooms/upsertRoom', room());
    const loading = rooms.loadMembers(5);
    store.commit('rooms/upsertRoom', room({ memberCount: 301 }));
    reply();
    await vi.waitFor(() => expect(request).toHaveBeenCalledTimes(2));
    reply();
    await loading;
    expect(store.state.rooms.byId[5]?.membersComplete).toBe(true);
  });
});
