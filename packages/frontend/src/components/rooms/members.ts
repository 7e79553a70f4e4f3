import type { UserDto } from '@pychat/protocol';
import type { AppStore } from '../../store';
import type { Room } from '../../store/types';

/** A user as the store knows them; a placeholder name while the directory has not got them (yet). */
export function userOf(store: AppStore, userId: number): UserDto {
  const me = store.state.session.me;
  return (
    store.state.users.byId[userId] ??
    (me?.id === userId
      ? me
      : { id: userId, username: `user ${userId}`, sex: 'secret', thumbnail: null, lastSeenAt: null })
  );
}

/** A room's members, online ones first, then by name (the room settings' list and admin picker). */
export function membersOnlineFirst(store: AppStore, room: Room | null): UserDto[] {
  const online = store.state.presence.online;
  return (room?.members ?? [])
    .map((m) => userOf(store, m.userId))
    .sort((a, b) => Number(!!online[b.id]) - Number(!!online[a.id]) || a.username.localeCompare(b.username));
}

/** A channel's members (= its main room's) the directory knows, by name. */
export function channelMembers(store: AppStore, mainRoom: Room | null): UserDto[] {
  const byId = store.state.users.byId;
  const me = store.state.session.me;
  return (mainRoom?.members ?? [])
    .map((m) => byId[m.userId] ?? (me?.id === m.userId ? me : undefined))
    .filter((u): u is UserDto => !!u)
    .sort((a, b) => a.username.localeCompare(b.username));
}

/** The main room of a channel, when it is in the store. */
export function mainRoomOf(store: AppStore, channelId: number | null | undefined): Room | null {
  const channel = channelId === null || channelId === undefined ? undefined : store.state.rooms.channels[channelId];
  return (channel && store.state.rooms.byId[channel.mainRoomId]) ?? null;
}
