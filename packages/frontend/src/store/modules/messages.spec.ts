import type { MessageDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../index';
import type { PendingMessage } from '../types';
import { timelineOf, unreadAfter } from './messages';

function msg(id: number, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id,
    roomId: 5,
    senderId: 1,
    content: `m${id}`,
    parentId: null,
    threadCount: 0,
    mentions: [],
    attachments: [],
    createdAt: 1000 + id,
    editedAt: null,
    deleted: false,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
    ...extra,
  };
}

function pending(localId: string, createdAt: number, parentId: number | null = null): PendingMessage {
  return { localId, roomId: 5, senderId: 1, content: localId, parentId, mentions: [], createdAt, status: 'sending' };
}

describe('messages store', () => {
  it('orders the timeline by server id whatever the arrival order, pending copies last in send order', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(3), msg(1)]);
    store.commit('messages/addPending', pending('b', 20));
    store.commit('messages/addPending', pending('a', 10));
    store.commit('messages/upsert', [msg(2)]);
    const ids = timelineOf(store.state.messages.rooms[5], null).map((i) =>
      i.kind === 'message' ? i.message.id : i.pending.localId,
    );
    expect(ids).toEqual([1, 2, 3, 'a', 'b']);
  });

  it('keeps thread replies out of the main timeline and in their thread', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1), msg(2, { parentId: 1 }), msg(3)]);
    store.commit('messages/addPending', pending('r', 5, 1));
    const main = timelineOf(store.state.messages.rooms[5], null);
    const thread = timelineOf(store.state.messages.rooms[5], 1);
    expect(main.map((i) => (i.kind === 'message' ? i.message.id : i.pending.localId))).toEqual([1, 3]);
    expect(thread.map((i) => (i.kind === 'message' ? i.message.id : i.pending.localId))).toEqual([2, 'r']);
  });

  it('never lets an older copy of a message overwrite a newer edit, but a delete always wins', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1, { content: 'edited', editedAt: 5000 })]);
    store.commit('messages/upsert', [msg(1, { content: 'original' })]);
    expect(store.state.messages.rooms[5]?.byId[1]?.content).toBe('edited');
    store.commit('messages/upsert', [msg(1, { content: null, deleted: true })]);
    expect(store.state.messages.rooms[5]?.byId[1]?.deleted).toBe(true);
  });

  it('raises a thread count only upwards (late frames cannot lower it)', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1, { threadCount: 3 })]);
    store.commit('messages/setThreadCount', { roomId: 5, messageId: 1, count: 2 });
    expect(store.state.messages.rooms[5]?.byId[1]?.threadCount).toBe(3);
    store.commit('messages/setThreadCount', { roomId: 5, messageId: 1, count: 4 });
    expect(store.state.messages.rooms[5]?.byId[1]?.threadCount).toBe(4);
  });

  it('keeps pending messages when a room is reset after a resync gap', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1)]);
    store.commit('messages/addPending', pending('p', 1));
    store.commit('messages/resetRoom', 5);
    expect(store.state.messages.rooms[5]?.byId).toEqual({});
    expect(Object.keys(store.state.messages.rooms[5]?.pending ?? {})).toEqual(['p']);
  });
});

describe('inline replies in the store', () => {
  it("an edit or a delete of the answered message updates the replies' excerpt; an unrelated change does not", () => {
    const store = createAppStore();
    const reply = msg(2, { replyTo: { id: 1, senderId: 1, excerpt: 'm1' } });
    const other = msg(3, { replyTo: { id: 9, senderId: 1, excerpt: 'old' } });
    store.commit('messages/upsert', [msg(1), reply, other]);
    store.commit('messages/upsert', [msg(1, { content: 'fixed typo', editedAt: 5 })]);
    expect(store.state.messages.rooms[5]?.byId[2]?.replyTo?.excerpt).toBe('fixed typo');
    store.commit('messages/upsert', [msg(1, { content: null, deleted: true, editedAt: 5 })]);
    expect(store.state.messages.rooms[5]?.byId[2]?.replyTo).toEqual({ id: 1, senderId: 1, excerpt: null });
    expect(store.state.messages.rooms[5]?.byId[3]?.replyTo?.excerpt).toBe('old');
  });

  it('keeps the order by id when pages and live messages arrive in any order, edits and deletes in place', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(50), msg(51)]);
    store.commit('messages/upsert', [msg(10), msg(12), msg(11)]);
    store.commit('messages/upsert', [msg(60), msg(30), msg(5, { parentId: 10 })]);
    store.commit('messages/upsert', [msg(12, { content: 'edited', editedAt: 9000 })]);
    store.commit('messages/upsert', [msg(51, { content: null, deleted: true })]);
    const main = timelineOf(store.state.messages.rooms[5], null).map((i) =>
      i.kind === 'message' ? `${i.message.id}${i.message.deleted ? 'x' : ''}${i.message.editedAt ? 'e' : ''}` : '',
    );
    expect(main).toEqual(['10', '11', '12e', '30', '50', '51x', '60']);
    expect(timelineOf(store.state.messages.rooms[5], 10).map((i) => i.kind === 'message' && i.message.id)).toEqual([5]);
  });

  it('leaves the other messages’ timeline items as they were when one arrives or changes (their rows keep their props)', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1), msg(2), msg(3)]);
    const before = timelineOf(store.state.messages.rooms[5], null);
    store.commit('messages/upsert', [msg(4)]);
    store.commit('messages/setReactions', { roomId: 5, messageId: 2, reactions: [{ emoji: '👍', userIds: [1] }] });
    const after = timelineOf(store.state.messages.rooms[5], null);
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    // The changed one is a new item (its row re-renders), with the change.
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]?.kind === 'message' && after[1].message.reactions).toEqual([{ emoji: '👍', userIds: [1] }]);
    expect(after.map((i) => i.kind === 'message' && i.message.id)).toEqual([1, 2, 3, 4]);
  });

  it('counts unread after a read pointer among others’ messages, threads included, deleted ones not', () => {
    const store = createAppStore();
    store.commit('messages/upsert', [msg(1, { senderId: 2 }), msg(4, { senderId: 2 }), msg(3, { senderId: 1 })]);
    store.commit('messages/upsert', [msg(5, { senderId: 2, parentId: 1 }), msg(6, { senderId: 2, deleted: true })]);
    expect(unreadAfter(store.state.messages.rooms[5], 1, 1)).toBe(2);
    expect(unreadAfter(store.state.messages.rooms[5], 4, 1)).toBe(1);
    expect(unreadAfter(store.state.messages.rooms[5], 6, 1)).toBe(0);
  });
});
