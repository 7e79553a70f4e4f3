import type { ChannelDto, RoomDto } from '@pychat/protocol';
import { ALL_CHANNEL_ID } from '@pychat/protocol/constants';
import { describe, expect, it } from 'vitest';
import {
  canChangeChannelAdmin,
  canChangeRoomAdmin,
  canDeleteChannel,
  canDeleteRoom,
  canRenameChannel,
  isRoomAdmin,
} from './permissions';

const ME = 1;
const room = (kind: RoomDto['kind'], adminId: number | null) => ({ kind, adminId });
const channel = (id: number, adminId: number | null): Pick<ChannelDto, 'id' | 'adminId'> => ({ id, adminId });

describe('room permissions', () => {
  it('only the admin of a named room may delete it or hand the role over', () => {
    expect(canDeleteRoom(room('room', ME), ME)).toBe(true);
    expect(canChangeRoomAdmin(room('room', ME), ME)).toBe(true);
    expect(canDeleteRoom(room('room', 2), ME)).toBe(false);
    expect(canChangeRoomAdmin(room('room', 2), ME)).toBe(false);
  });

  it('a room without an admin lets any member take the role, but not delete the room', () => {
    expect(canChangeRoomAdmin(room('room', null), ME)).toBe(true);
    expect(canDeleteRoom(room('room', null), ME)).toBe(false);
  });

  it('channel main rooms and direct rooms are neither deleted nor handed over from room settings', () => {
    for (const kind of ['channel', 'direct'] as const) {
      expect(canDeleteRoom(room(kind, ME), ME)).toBe(false);
      expect(canChangeRoomAdmin(room(kind, null), ME)).toBe(false);
    }
  });

  it('nobody is admin while signed out or of no room', () => {
    expect(isRoomAdmin(room('room', null), null)).toBe(false);
    expect(isRoomAdmin(null, ME)).toBe(false);
    expect(canChangeRoomAdmin(null, ME)).toBe(false);
  });
});

describe('channel permissions', () => {
  it('the admin deletes the channel and hands it over; others only leave', () => {
    expect(canDeleteChannel(channel(5, ME), ME)).toBe(true);
    expect(canChangeChannelAdmin(channel(5, ME), ME)).toBe(true);
    expect(canDeleteChannel(channel(5, 2), ME)).toBe(false);
    expect(canChangeChannelAdmin(channel(5, 2), ME)).toBe(false);
    expect(canChangeChannelAdmin(channel(5, null), ME)).toBe(true);
  });

  it('the "all" channel is never renamed, handed over or deleted, even by its admin', () => {
    const all = channel(ALL_CHANNEL_ID, ME);
    expect(canRenameChannel(all)).toBe(false);
    expect(canChangeChannelAdmin(all, ME)).toBe(false);
    expect(canDeleteChannel(all, ME)).toBe(false);
    expect(canRenameChannel(channel(5, 2))).toBe(true);
  });
});
