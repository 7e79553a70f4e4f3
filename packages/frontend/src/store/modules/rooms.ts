import type { ChannelDto, RoomDto, RoomMemberDto, RoomStateDto } from '@pychat/protocol';
import { ALL_ROOM_ID } from '@pychat/protocol/constants';
import type { Module } from 'vuex';
import type { Room, RoomsState, RootState } from '../types';

export interface RoomListEntry {
  room: Room;
  state: RoomStateDto | undefined;
  title: string;
}

// `satisfies`, not a type annotation: keeps the getters' own types for store/getters.ts.
export const rooms = {
  namespaced: true,
  state: () => ({ byId: {}, states: {}, channels: {}, activeRoomId: null, unreadTotal: 0 }),
  getters: {
    /** The room's member list is not complete (a big room, protocol v2): load it with `room.members` to show it. */
    needsMembers:
      (state) =>
      (roomId: number): boolean =>
        state.byId[roomId]?.membersComplete === false,
    /** Direct rooms, titled by the other member's name. */
    directs(state, _getters, root): RoomListEntry[] {
      const me = root.session.me?.id;
      return Object.values(state.byId)
        .filter((room) => room.kind === 'direct')
        .map((room) => {
          const other = room.members.find((m) => m.userId !== me)?.userId;
          const title = (other !== undefined && root.users.byId[other]?.username) || 'unknown user';
          return { room, state: state.states[room.id], title };
        })
        .sort((a, b) => a.title.localeCompare(b.title));
    },
    /** Channels with their main room and named rooms. */
    channels(state): { channel: ChannelDto; main: RoomListEntry | null; rooms: RoomListEntry[] }[] {
      return Object.values(state.channels)
        .sort((a, b) => (a.id === 1 ? -1 : b.id === 1 ? 1 : a.name.localeCompare(b.name)))
        .map((channel) => {
          const inChannel = Object.values(state.byId).filter((room) => room.channelId === channel.id);
          const entry = (room: Room) => ({ room, state: state.states[room.id], title: room.name ?? '' });
          const main = inChannel.find((room) => room.kind === 'channel');
          return {
            channel,
            main: main ? entry(main) : null,
            rooms: inChannel
              .filter((room) => room.kind === 'room')
              .map(entry)
              .sort((a, b) => a.title.localeCompare(b.title)),
          };
        });
    },
    title:
      (state, _getters, root) =>
      (roomId: number): string => {
        const room = state.byId[roomId];
        if (!room) {
          return '';
        }
        if (room.kind !== 'direct') {
          return room.name ?? '';
        }
        const other = room.members.find((m) => m.userId !== root.session.me?.id)?.userId;
        return (other !== undefined && root.users.byId[other]?.username) || 'direct';
      },
    totalUnread(state): number {
      return state.unreadTotal;
    },
  },
  mutations: {
    setAll(state, { rooms, states, channels }: { rooms: RoomDto[]; states: RoomStateDto[]; channels: ChannelDto[] }) {
      state.byId = Object.fromEntries(rooms.map((r) => [r.id, toRoom(r, state.byId[r.id])]));
      state.states = Object.fromEntries(states.map((s) => [s.roomId, s]));
      state.unreadTotal = states.reduce((sum, s) => sum + s.unread, 0);
      state.channels = Object.fromEntries(channels.map((c) => [c.id, c]));
    },
    upsertRoom(state, room: RoomDto) {
      state.byId[room.id] = toRoom(room, state.byId[room.id]);
    },
    /** The whole list from `room.members`. Pointers never move back: a receipt may have overtaken the reply. */
    setMembers(state, { roomId, members }: { roomId: number; members: RoomMemberDto[] }) {
      const room = state.byId[roomId];
      if (!room) {
        return;
      }
      const known = new Map(room.members.map((m) => [m.userId, m.lastReadMessageId]));
      room.members = members.map((m) => ({
        userId: m.userId,
        lastReadMessageId: Math.max(m.lastReadMessageId, known.get(m.userId) ?? 0),
      }));
      room.memberCount = members.length;
      room.membersComplete = true;
    },
    setState(state, roomState: RoomStateDto) {
      state.unreadTotal += roomState.unread - (state.states[roomState.roomId]?.unread ?? 0);
      state.states[roomState.roomId] = roomState;
    },
    removeRoom(state, roomId: number) {
      state.unreadTotal -= state.states[roomId]?.unread ?? 0;
      delete state.byId[roomId];
      delete state.states[roomId];
      if (state.activeRoomId === roomId) {
        state.activeRoomId = ALL_ROOM_ID;
      }
    },
    upsertChannel(state, channel: ChannelDto) {
      state.channels[channel.id] = channel;
    },
    removeChannel(state, channelId: number) {
      delete state.channels[channelId];
    },
    setActive(state, roomId: number | null) {
      state.activeRoomId = roomId;
    },
    setReadPointer(
      state,
      { roomId, userId, messageId, back }: { roomId: number; userId: number; messageId: number; back?: boolean },
    ) {
      const room = state.byId[roomId];
      const member = room?.members.find((m) => m.userId === userId);
      if (member) {
        if (member.lastReadMessageId < messageId || back) {
          member.lastReadMessageId = messageId;
        }
      } else if (room && !room.membersComplete) {
        // Only members read, so the reader belongs in the partial list (and survives a setMembers in flight).
        room.members.push({ userId, lastReadMessageId: messageId });
      }
    },
    addMember(state, { roomId, userId }: { roomId: number; userId: number }) {
      const room = state.byId[roomId];
      if (room && !room.members.some((m) => m.userId === userId)) {
        room.members.push({ userId, lastReadMessageId: 0 });
        room.memberCount += 1;
      }
    },
    setUnread(state, { roomId, unread }: { roomId: number; unread: number }) {
      const roomState = state.states[roomId];
      if (roomState) {
        state.unreadTotal += unread - roomState.unread;
        roomState.unread = unread;
      }
    },
    noteMessage(state, { roomId, messageId, fromOther }: { roomId: number; messageId: number; fromOther: boolean }) {
      const roomState = state.states[roomId];
      if (!roomState || messageId <= roomState.lastMessageId) {
        return;
      }
      roomState.lastMessageId = messageId;
      if (fromOther) {
        roomState.unread += 1;
        state.unreadTotal += 1;
      }
    },
  },
} satisfies Module<RoomsState, RootState>;

/**
 * A RoomDto as the store keeps it. Without an inline list (a big room) the members known so far stay, marked
 * incomplete: they may be stale, so views that need the list load it again (RoomsService.loadMembers).
 */
function toRoom(dto: RoomDto, previous: Room | undefined): Room {
  if (dto.members !== null) {
    return { ...dto, members: dto.members, membersComplete: true };
  }
  return { ...dto, members: previous?.members ?? [], membersComplete: false };
}
