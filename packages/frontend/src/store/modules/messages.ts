import type { MessageDto, ReactionDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import { markRaw, toRaw } from 'vue';
import type { Module } from 'vuex';
import type { MessagesState, PendingMessage, RoomMessages, RootState, TimelineEntry } from '../types';

/** Where a composer's draft is kept: per room, and per thread inside it. */
export function draftKey(roomId: number, threadId: number | null): string {
  return `${roomId}:${threadId ?? 0}`;
}

export function emptyRoom(): RoomMessages {
  return {
    byId: {},
    order: markRaw(new Map()),
    rev: 0,
    pending: {},
    hasMore: true,
    loaded: false,
    loadingHistory: false,
    syncedAt: 0,
  };
}

function roomOf(state: MessagesState, roomId: number): RoomMessages {
  if (!state.rooms[roomId]) {
    state.rooms[roomId] = emptyRoom();
  }
  // Read back through the state: the proxy, so that later writes to it are seen.
  return state.rooms[roomId];
}

/** One entry of a room's timeline: a stored message or a pending local echo. */
export type TimelineItem = TimelineEntry | { kind: 'pending'; pending: PendingMessage };

/** Index of the first entry whose message id is ≥ `id` (the list is sorted by id). */
export function lowerBound(list: readonly TimelineEntry[], id: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid].message.id < id) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

function removeFromOrder(room: RoomMessages, message: MessageDto): void {
  const list = room.order.get(message.parentId ?? 0);
  const at = list ? lowerBound(list, message.id) : -1;
  if (list && list[at]?.message.id === message.id) {
    list.splice(at, 1);
  }
}

/**
 * Stores a message (new or a newer version of a held one) and keeps its thread's list sorted: appended when it is
 * the newest (a live message, the common case), else put in place by binary search. The caller bumps `rev`.
 */
function put(room: RoomMessages, message: MessageDto): void {
  const raw = markRaw(toRaw(message));
  const previous = toRaw(room.byId)[raw.id];
  room.byId[raw.id] = raw;
  if (previous && previous.parentId !== raw.parentId) {
    removeFromOrder(room, previous);
  }
  const key = raw.parentId ?? 0;
  let list = room.order.get(key);
  if (!list) {
    list = [];
    room.order.set(key, list);
  }
  const entry: TimelineEntry = { kind: 'message', message: raw };
  if (list.length === 0 || list[list.length - 1].message.id < raw.id) {
    list.push(entry);
    return;
  }
  const at = lowerBound(list, raw.id);
  if (list[at]?.message.id === raw.id) {
    list[at] = entry;
  } else {
    list.splice(at, 0, entry);
  }
}

/** Messages ordered by id (ids are assigned in commit order), pending ones after them in send order. */
export function timelineOf(room: RoomMessages | undefined, parentId: number | null): TimelineItem[] {
  if (!room) {
    return [];
  }
  // The dependency for a view's computed: the lists themselves are not reactive.
  void room.rev;
  const stored: TimelineItem[] = (room.order.get(parentId ?? 0) ?? []).slice();
  const pending = Object.values(room.pending)
    .filter((p) => p.parentId === parentId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((p) => ({ kind: 'pending' as const, pending: p }));
  return pending.length === 0 ? stored : stored.concat(pending);
}

/** The newest held message id of the room, threads included (0: none). */
export function newestIdOf(room: RoomMessages | undefined): number {
  let newest = 0;
  for (const list of room?.order.values() ?? []) {
    newest = Math.max(newest, list[list.length - 1]?.message.id ?? 0);
  }
  return newest;
}

/** Held messages after `after` from others, not deleted, threads included: unread for a read pointer there. */
export function unreadAfter(room: RoomMessages | undefined, after: number, me: number): number {
  let count = 0;
  for (const list of room?.order.values() ?? []) {
    for (let i = lowerBound(list, after + 1); i < list.length; i++) {
      const message = list[i].message;
      if (message.senderId !== me && !message.deleted) {
        count += 1;
      }
    }
  }
  return count;
}

/** The oldest held message of the main timeline (undefined: none). */
export function oldestTopLevelIdOf(room: RoomMessages | undefined): number | undefined {
  return room?.order.get(0)?.[0]?.message.id;
}

/**
 * Replies carry an excerpt of the message they answer as it was when the server built them: an edit or a delete
 * of that message updates the replies held here, so "message deleted" shows without a reload.
 */
function patchReplies(room: RoomMessages, answered: MessageDto): void {
  for (const reply of Object.values(toRaw(room.byId))) {
    if (reply.replyTo?.id === answered.id) {
      put(room, {
        ...reply,
        replyTo: {
          ...reply.replyTo,
          excerpt: answered.deleted ? null : (answered.content ?? '').slice(0, LIMITS.replyExcerptMaxLength),
        },
      });
    }
  }
}

// `satisfies`, not a type annotation: keeps the getters' own types for store/getters.ts.
export const messages = {
  namespaced: true,
  state: () => ({ rooms: {}, drafts: {} }),
  getters: {
    timeline: (state) => (roomId: number) => timelineOf(state.rooms[roomId], null),
    thread: (state) => (roomId: number, parentId: number) => timelineOf(state.rooms[roomId], parentId),
    room: (state) => (roomId: number) => state.rooms[roomId],
  },
  mutations: {
    upsert(state, list: MessageDto[]) {
      const changed: MessageDto[] = [];
      const touched = new Set<RoomMessages>();
      for (const message of list) {
        const room = roomOf(state, message.roomId);
        const known = toRaw(room.byId)[message.id];
        // Frames can arrive out of order across reconnects: never let an older copy win.
        if (!known || (message.editedAt ?? 0) >= (known.editedAt ?? 0) || message.deleted) {
          put(room, message);
          touched.add(room);
          if (known && (message.deleted || message.editedAt !== known.editedAt)) {
            changed.push(message);
          }
        }
      }
      for (const message of changed) {
        patchReplies(roomOf(state, message.roomId), message);
      }
      for (const room of touched) {
        room.rev += 1;
      }
    },
    setDraft(state, { key, text }: { key: string; text: string }) {
      if (text) {
        state.drafts[key] = text;
      } else {
        delete state.drafts[key];
      }
    },
    setReactions(
      state,
      { roomId, messageId, reactions }: { roomId: number; messageId: number; reactions: ReactionDto[] },
    ) {
      const room = state.rooms[roomId];
      const message = room?.byId[messageId];
      if (room && message && !message.deleted) {
        put(room, { ...message, reactions });
        room.rev += 1;
      }
    },
    setThreadCount(state, { roomId, messageId, count }: { roomId: number; messageId: number; count: number }) {
      const room = state.rooms[roomId];
      const message = room?.byId[messageId];
      if (room && message && message.threadCount < count) {
        put(room, { ...message, threadCount: count });
        room.rev += 1;
      }
    },
    addPending(state, pending: PendingMessage) {
      roomOf(state, pending.roomId).pending[pending.localId] = pending;
    },
    failPending(state, { roomId, localId, error }: { roomId: number; localId: string; error: string }) {
      const pending = state.rooms[roomId]?.pending[localId];
      if (pending) {
        pending.status = 'failed';
        pending.error = error;
      }
    },
    retryPending(state, { roomId, localId }: { roomId: number; localId: string }) {
      const pending = state.rooms[roomId]?.pending[localId];
      if (pending) {
        pending.status = 'sending';
        delete pending.error;
      }
    },
    /** The outbox uploading a queued message's files (null: done or stopped). */
    setPendingProgress(
      state,
      { roomId, localId, progress }: { roomId: number; localId: string; progress: number | null },
    ) {
      const pending = state.rooms[roomId]?.pending[localId];
      if (pending) {
        if (progress === null) {
          delete pending.progress;
        } else {
          pending.progress = progress;
        }
      }
    },
    removePending(state, { roomId, localId }: { roomId: number; localId: string }) {
      delete state.rooms[roomId]?.pending[localId];
    },
    setLoaded(state, { roomId, hasMore }: { roomId: number; hasMore: boolean }) {
      const room = roomOf(state, roomId);
      room.loaded = true;
      room.hasMore = hasMore;
    },
    setHasMore(state, { roomId, hasMore }: { roomId: number; hasMore: boolean }) {
      roomOf(state, roomId).hasMore = hasMore;
    },
    setLoadingHistory(state, { roomId, loading }: { roomId: number; loading: boolean }) {
      roomOf(state, roomId).loadingHistory = loading;
    },
    setSyncedAt(state, { roomId, at }: { roomId: number; at: number }) {
      roomOf(state, roomId).syncedAt = at;
    },
    resetRoom(state, roomId: number) {
      const pending = state.rooms[roomId]?.pending ?? {};
      state.rooms[roomId] = { ...emptyRoom(), pending };
    },
    dropRoom(state, roomId: number) {
      delete state.rooms[roomId];
    },
  },
} satisfies Module<MessagesState, RootState>;
