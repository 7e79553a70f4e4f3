import { LIMITS } from '@pychat/protocol/constants';
import type { AppStore } from '../store';
import type { RootState } from '../store/types';
import type { StoreSync } from './store-sync';
import type { WsService } from './ws.service';

/** Users one view registers (`show`) at most: a screenful and some scrolling, so several views fit the limit. */
export const PRESENCE_SHOWN_PER_VIEW = 200;

/** Views change what they show in bursts (typing a filter, switching rooms): one subscribe per burst. */
export const PRESENCE_SUBSCRIBE_DEBOUNCE_MS = 300;

/** A room whose header shows the server's count (`room.online`) rather than counting its followed members. */
export function isBigRoom(room: { kind: string; memberCount: number }): boolean {
  return room.kind !== 'direct' && room.memberCount > LIMITS.roomMembersInlineMax;
}

/**
 * The users whose presence this tab shows, most important first, at most `LIMITS.presenceSubscribeMax`: a small
 * open room's members (its header counts them), every direct-message partner (the sidebar), what mounted views
 * registered (`presence/show`: the member list and pickers on screen, the @mention candidates), then a big open
 * room's members as far as room is left (its header uses `room.online` instead). Me too when I am among them:
 * "N online" counts me, and the reply says so.
 */
export function visibleUserIds(state: RootState): number[] {
  const wanted = new Set<number>();
  const add = (userId: number) => {
    if (wanted.size < LIMITS.presenceSubscribeMax) {
      wanted.add(userId);
    }
  };
  const active = state.rooms.activeRoomId === null ? undefined : state.rooms.byId[state.rooms.activeRoomId];
  const big = active !== undefined && isBigRoom(active);
  if (!big) {
    for (const member of active?.members ?? []) {
      add(member.userId);
    }
  }
  for (const room of Object.values(state.rooms.byId)) {
    if (room.kind === 'direct') {
      for (const member of room.members) {
        add(member.userId);
      }
    }
  }
  for (const userIds of Object.values(state.presence.shown)) {
    for (const userId of userIds) {
      add(userId);
    }
  }
  if (big) {
    for (const member of active.members) {
      add(member.userId);
    }
  }
  return [...wanted].sort((a, b) => a - b);
}

/**
 * The rooms whose online count this tab shows, at most `LIMITS.presenceRoomsMax`: the open room when it is big,
 * then what views registered (`presence/showRooms`: the channel directory's joined channels).
 */
export function visibleRoomIds(state: RootState): number[] {
  const wanted = new Set<number>();
  const active = state.rooms.activeRoomId === null ? undefined : state.rooms.byId[state.rooms.activeRoomId];
  if (active && isBigRoom(active)) {
    wanted.add(active.id);
  }
  for (const roomIds of Object.values(state.presence.shownRooms)) {
    for (const roomId of roomIds) {
      if (wanted.size < LIMITS.presenceRoomsMax) {
        wanted.add(roomId);
      }
    }
  }
  return [...wanted].sort((a, b) => a - b);
}

/** What one subscribe sends: the visible users and rooms. */
function visible(state: RootState): { userIds: number[]; roomIds: number[] } {
  return { userIds: visibleUserIds(state), roomIds: visibleRoomIds(state) };
}

/** Equal subscriptions have equal keys. */
function keyOf({ userIds, roomIds }: { userIds: number[]; roomIds: number[] }): string {
  return `${userIds.join(',')}|${roomIds.join(',')}`;
}

/**
 * Protocol v3: the server sends `presence.changed` only for users a socket subscribed to. This keeps the
 * subscription equal to what the tab shows: sent again (debounced) whenever the visible set changes, and at
 * once on every new socket (a socket starts with none). The reply replaces what the store knows of presence.
 */
export class PresenceSubscription {
  #sent: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: AppStore,
    private readonly ws: Pick<WsService, 'request' | 'isOpen'>,
    private readonly sync: Pick<StoreSync, 'lastSeen'>,
    private readonly debounceMs = PRESENCE_SUBSCRIBE_DEBOUNCE_MS,
  ) {}

  /** Watches the visible set for the life of the app. */
  start(): void {
    this.store.watch(
      (state) => keyOf(visible(state)),
      () => this.#schedule(),
    );
  }

  /** A view shows these users (their presence is followed while it does); an empty list when it stops. */
  show(key: string, userIds: number[]): void {
    this.store.commit('presence/show', { key, userIds });
  }

  /** A view shows the online count of these rooms (followed while it does); an empty list when it stops. */
  showRooms(key: string, roomIds: number[]): void {
    this.store.commit('presence/showRooms', { key, roomIds });
  }

  /** A new socket (session.ready): it has no subscription yet. */
  onReady(): Promise<void> {
    this.#sent = null;
    return this.flush();
  }

  /** Sends the visible set now if it differs from what this socket has. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const wanted = visible(this.store.state);
    const key = keyOf(wanted);
    if (key === this.#sent || !this.ws.isOpen) {
      return;
    }
    this.#sent = key;
    try {
      const { online, offline, rooms } = await this.ws.request('presence.subscribe', wanted);
      this.store.commit('presence/setOnline', online);
      this.store.commit('presence/setRoomOnline', rooms ?? []);
      await this.sync.lastSeen(
        offline.flatMap(({ userId, lastSeenAt }) => (lastSeenAt === null ? [] : [{ userId, lastSeenAt }])),
      );
    } catch {
      // The socket closed meanwhile: the next session.ready subscribes again.
      this.#sent = null;
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.debounceMs);
  }
}
