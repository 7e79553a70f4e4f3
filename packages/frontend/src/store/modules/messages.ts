import type { MessageDto, ReactionDto } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import type { Module } from 'vuex';
import type { MessagesState, PendingMessage, RoomMessages, RootState } from '../types';

/** Where a composer's draft is kept: per room, and per thread inside it. */
export function draftKey(roomId: number, threadId: number | null): string {
  return `${roomId}:${threadId ?? 0}`;
}

export function emptyRoom(): RoomMessages {
  return { byId: {}, pending: {}, hasMore: true, loaded: false, loadingHistory: false, syncedAt: 0 };
}

function roomOf(state: MessagesState, roomId: number): RoomMessages {
  let room = state.rooms[roomId];
  if (!room) {
    room = emptyRoom();
    state.rooms[roomId] = room;
  }
  return room;
}

/** One entry of a room's timeline: a stored message or a pending local echo. */
export type TimelineItem = { kind: 'message'; message: MessageDto } | { kind: 'pending'; pending: PendingMessage };

/** Messages ordered by id (ids are assigned in commit order), pending ones after them in send order. */
export function timelineOf(room: RoomMessages | undefined, parentId: number | null): TimelineItem[] {
  if (!room) {
    return [];
  }
  const stored = Object.values(room.byId)
    .filter((m) => m.parentId === parentId)
    .sort((a, b) => a.id - b.id)
    .map((message) => ({ kind: 'message' as const, message }));
  const pending = Object.values(room.pending)
    .filter((p) => p.parentId === parentId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((p) => ({ kind: 'pending' as const, pending: p }));
  return [...stored, ...pending];
}

/**
 * Replies carry an excerpt of the message they answer as it was when the server built them: an edit or a delete
 * of that message updates the replies held here, so "message deleted" shows without a reload.
 */
function patchReplies(room: RoomMessages, answered: MessageDto): void {
  for (const reply of Object.values(room.byId)) {
    if (reply.replyTo?.id === answered.id) {
      reply.replyTo = {
        ...reply.replyTo,
        excerpt: answered.deleted ? null : (answered.content ?? '').slice(0, LIMITS.replyExcerptMaxLength),
      };
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
      for (const message of list) {
        const room = roomOf(state, message.roomId);
        const known = room.byId[message.id];
        // Frames can arrive out of order across reconnects: never let an older copy win.
        if (!known || (message.editedAt ?? 0) >= (known.editedAt ?? 0) || message.deleted) {
          room.byId[message.id] = message;
          if (known && (message.deleted || message.editedAt !== known.editedAt)) {
            changed.push(message);
          }
        }
      }
      for (const message of changed) {
        patchReplies(roomOf(state, message.roomId), message);
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
      const message = state.rooms[roomId]?.byId[messageId];
      if (message && !message.deleted) {
        message.reactions = reactions;
      }
    },
    setThreadCount(state, { roomId, messageId, count }: { roomId: number; messageId: number; count: number }) {
      const message = state.rooms[roomId]?.byId[messageId];
      if (message && message.threadCount < count) {
        message.threadCount = count;
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
