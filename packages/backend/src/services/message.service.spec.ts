import { LIMITS, type ClientMessages } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { makeMessage } from '../../test/factories/message.factory';
import { makeMember, makeRoom } from '../../test/factories/room.factory';
import { createTestService, expectAppError, expectNothingWritten, T0 } from '../../test/service';
import type { RoomEntity } from '../entities';
import { AppError } from '../errors';
import { WriteConflictError } from '../repositories/driver-errors';
import { DuplicateMessageError } from '../repositories/message.repository';
import { MessageService, SYNC_CLOCK_SKEW_MS, toMessageDto } from './message.service';

const ME = 7;
const OTHER = 8;

/** A MessageService where I am a member of `room` (through the mocked access funnel). */
function setup(roomOverrides: Partial<RoomEntity> = {}) {
  const ctx = createTestService(MessageService);
  const room = makeRoom(roomOverrides);
  const member = makeMember(room.id, ME, { lastReadMessageId: 10 });
  ctx.access.requireRoomMember.mockResolvedValue({ room, member });
  ctx.messages.findBySenderAndLocalId.mockResolvedValue(null);
  ctx.messages.mentionsOf.mockResolvedValue(new Map());
  ctx.messages.reactionsOf.mockResolvedValue(new Map());
  ctx.rooms.membersOf.mockResolvedValue([makeMember(room.id, ME), makeMember(room.id, OTHER)]);
  return { ...ctx, room, member };
}

function sendInput(roomId: number, overrides: Partial<ClientMessages['message.send']> = {}) {
  return { roomId, content: 'hello', localId: 'tab1-1', ...overrides };
}

/** What the repository reports for a second insert of the same (sender, localId). */
function duplicateLocalId() {
  return new DuplicateMessageError(
    Object.assign(new Error('UNIQUE constraint failed: messages.sender_id, messages.local_id'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    }),
  );
}

/** The guarded insert ran and was refused (it writes nothing then); nothing else was written or emitted. */
function expectOnlyRefusedInsert(ctx: ReturnType<typeof setup>) {
  for (const result of ctx.messages.insert.mock.results) {
    expect(result).toEqual({ type: 'return', value: expect.any(Promise) });
  }
  expect(ctx.messages.insert.mock.settledResults).toEqual(
    ctx.messages.insert.mock.calls.map(() => ({ type: 'fulfilled', value: null })),
  );
  ctx.messages.insert.mockClear();
  expectNothingWritten(ctx);
}

describe(MessageService.name, () => {
  describe('send', () => {
    it('saves the message, then emits message.created with the localId', async () => {
      const ctx = setup();
      const { sut, room, messages, events } = ctx;
      const saved = makeMessage({ roomId: room.id, senderId: ME, content: 'hello', localId: 'tab1-1', createdAt: T0 });
      messages.insert.mockResolvedValue({ message: saved });

      const reply = await sut.send(ME, sendInput(room.id));

      expect(messages.insert).toHaveBeenCalledWith(
        { roomId: room.id, senderId: ME, content: 'hello', localId: 'tab1-1', parentId: null, createdAt: T0 },
        [],
        [],
      );
      expect(reply).toEqual({ message: toMessageDto(saved), duplicate: false });
      expect(events.emitted).toEqual([
        {
          name: 'message.created',
          payload: { message: reply.message, localId: 'tab1-1', parentThreadCount: undefined },
        },
      ]);
      expect(messages.insert).toHaveBeenCalledBefore(events.emit);
    });

    it('sends a plain message with the insert alone: no membership query, no resend lookup', async () => {
      const ctx = setup();
      const { sut, room, messages, access } = ctx;
      messages.insert.mockResolvedValue({ message: makeMessage({ roomId: room.id, senderId: ME }) });

      await sut.send(ME, sendInput(room.id));

      // The insert itself is refused unless I am a member of the live, non-p2p room (MessageRepository).
      expect(messages.insert).toHaveBeenCalledTimes(1);
      expect(access.requireRoomMember).not.toHaveBeenCalled();
      expect(messages.findBySenderAndLocalId).not.toHaveBeenCalled();
    });

    it('answers a resend of the same localId with the stored message and fans it out again', async () => {
      const ctx = setup();
      const { sut, room, messages, events } = ctx;
      const stored = makeMessage({ roomId: room.id, senderId: ME, localId: 'tab1-1' });
      messages.insert.mockRejectedValue(duplicateLocalId());
      messages.findBySenderAndLocalId.mockResolvedValue(stored);
      messages.mentionsOf.mockResolvedValue(new Map([[stored.id, [OTHER]]]));

      const reply = await sut.send(ME, sendInput(room.id));

      expect(messages.findBySenderAndLocalId).toHaveBeenCalledWith(ME, 'tab1-1');
      expect(reply).toEqual({ message: toMessageDto(stored, [OTHER]), duplicate: true });
      // The first attempt may have committed and died before its fan-out: members get it (again).
      expect(events.emitted).toEqual([
        { name: 'message.resent', payload: { message: reply.message, localId: 'tab1-1' } },
      ]);
    });

    it('refuses a localId already used in another room (VALIDATION_FAILED)', async () => {
      const ctx = setup();
      ctx.messages.insert.mockRejectedValue(duplicateLocalId());
      ctx.messages.findBySenderAndLocalId.mockResolvedValue(makeMessage({ roomId: ctx.room.id + 1, senderId: ME }));

      await expectAppError(ctx.sut.send(ME, sendInput(ctx.room.id)), 'VALIDATION_FAILED');
      expect(ctx.events.emitted).toEqual([]);
    });

    it('writes nothing in a room I am not a member of', async () => {
      const ctx = setup();
      ctx.messages.insert.mockResolvedValue(null);
      ctx.access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

      await expectAppError(ctx.sut.send(ME, sendInput(ctx.room.id)), 'ROOM_NOT_FOUND');
      expect(ctx.access.requireRoomMember).toHaveBeenCalledWith(ME, ctx.room.id);
      expectOnlyRefusedInsert(ctx);
    });

    it('refuses to store messages of a peer-to-peer room', async () => {
      const ctx = setup({ kind: 'direct', p2p: true, channelId: null, name: null });
      ctx.messages.insert.mockResolvedValue(null);

      await expectAppError(ctx.sut.send(ME, sendInput(ctx.room.id)), 'INVALID_OPERATION');
      expectOnlyRefusedInsert(ctx);
    });

    it('answers a resend in a room that went peer-to-peer since with the stored message, as before', async () => {
      const ctx = setup({ kind: 'direct', p2p: true, channelId: null, name: null });
      const stored = makeMessage({ roomId: ctx.room.id, senderId: ME, localId: 'tab1-1' });
      ctx.messages.insert.mockResolvedValue(null);
      ctx.messages.findBySenderAndLocalId.mockResolvedValue(stored);

      const reply = await ctx.sut.send(ME, sendInput(ctx.room.id));

      expect(reply).toEqual({ message: toMessageDto(stored), duplicate: true });
      expect(ctx.events.names()).toEqual(['message.resent']);
    });

    it('goes the long way after a deadlock of the one-statement insert (MariaDB, against a room removal)', async () => {
      const ctx = setup();
      const { sut, room, messages, access } = ctx;
      const saved = makeMessage({ roomId: room.id, senderId: ME });
      messages.insert
        .mockRejectedValueOnce(
          new WriteConflictError(Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' })),
        )
        .mockResolvedValueOnce({ message: saved });

      const reply = await sut.send(ME, sendInput(room.id));

      expect(access.requireRoomMember).toHaveBeenCalledWith(ME, room.id);
      expect(messages.insert).toHaveBeenCalledTimes(2);
      expect(reply).toEqual({ message: toMessageDto(saved), duplicate: false });
    });

    it('answers ROOM_NOT_FOUND when the membership goes between the check and the insert', async () => {
      const ctx = setup();
      ctx.messages.insert.mockResolvedValue(null);

      await expectAppError(ctx.sut.send(ME, sendInput(ctx.room.id, { mentions: [OTHER] })), 'ROOM_NOT_FOUND');
      expect(ctx.access.requireRoomMember).toHaveBeenCalledWith(ME, ctx.room.id);
      expectOnlyRefusedInsert(ctx);
    });

    it('stores a thread reply and passes the new reply count of the parent on', async () => {
      const ctx = setup();
      const { sut, room, messages, events } = ctx;
      const parent = makeMessage({ roomId: room.id, threadCount: 2 });
      messages.findById.mockResolvedValue(parent);
      messages.insert.mockResolvedValue({
        message: makeMessage({ roomId: room.id, senderId: ME, parentId: parent.id }),
        parentThreadCount: 3,
      });

      await sut.send(ME, sendInput(room.id, { parentId: parent.id }));

      expect(messages.insert).toHaveBeenCalledWith(expect.objectContaining({ parentId: parent.id }), [], []);
      expect(events.payloadsOf('message.created')).toEqual([expect.objectContaining({ parentThreadCount: 3 })]);
    });

    it.each([
      ['does not exist', () => null, 'MESSAGE_NOT_FOUND'],
      ['is in another room', (roomId: number) => makeMessage({ roomId: roomId + 1 }), 'MESSAGE_NOT_FOUND'],
      ['is itself a reply', (roomId: number) => makeMessage({ roomId, parentId: 1 }), 'INVALID_OPERATION'],
      ['was deleted', (roomId: number) => makeMessage({ roomId, deletedAt: 1, content: null }), 'INVALID_OPERATION'],
    ] as const)('refuses a reply whose parent %s', async (_, parent, code) => {
      const ctx = setup();
      ctx.messages.findById.mockResolvedValue(parent(ctx.room.id));

      await expectAppError(ctx.sut.send(ME, sendInput(ctx.room.id, { parentId: 55 })), code);
      expectNothingWritten(ctx);
    });

    it('stores each mentioned member once', async () => {
      const ctx = setup();
      const { sut, room, messages, events } = ctx;
      messages.insert.mockResolvedValue({ message: makeMessage({ roomId: room.id, senderId: ME }) });

      const reply = await sut.send(ME, sendInput(room.id, { mentions: [OTHER, OTHER, ME] }));

      expect(messages.insert).toHaveBeenCalledWith(expect.anything(), [OTHER, ME], []);
      expect(reply.message.mentions).toEqual([OTHER, ME]);
      expect(events.payloadsOf('message.created')[0].message.mentions).toEqual([OTHER, ME]);
    });

    it('refuses to mention someone outside the room (USER_NOT_FOUND)', async () => {
      const ctx = setup();

      const error = await expectAppError(
        ctx.sut.send(ME, sendInput(ctx.room.id, { mentions: [OTHER, 999] })),
        'USER_NOT_FOUND',
      );
      expect(error.message).toContain('999');
      expectNothingWritten(ctx);
    });

    it('answers the loser of two racing copies with the stored row (fanned out again: clients dedupe by id)', async () => {
      const ctx = setup();
      const { sut, room, messages } = ctx;
      const winner = makeMessage({ roomId: room.id, senderId: ME, localId: 'tab1-1' });
      messages.findBySenderAndLocalId.mockResolvedValue(winner);
      messages.insert.mockRejectedValue(duplicateLocalId());

      const reply = await sut.send(ME, sendInput(room.id));

      expect(reply).toEqual({ message: toMessageDto(winner), duplicate: true });
      expect(ctx.events.names()).toEqual(['message.resent']);
    });

    it('rethrows an insert failure that is not a lost resend race', async () => {
      const ctx = setup();
      const failure = new DuplicateMessageError(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' }));
      ctx.messages.insert.mockRejectedValue(failure);

      await expect(ctx.sut.send(ME, sendInput(ctx.room.id))).rejects.toBe(failure);
      expect(ctx.events.emitted).toEqual([]);
    });
  });

  describe('edit', () => {
    function setupEdit() {
      const ctx = setup();
      const message = makeMessage({ roomId: ctx.room.id, senderId: ME, content: 'old' });
      ctx.access.requireMessageAuthor.mockResolvedValue({ message, room: ctx.room });
      const edited = { ...message, content: 'new', editedAt: T0, updatedAt: T0 };
      ctx.messages.edit.mockResolvedValue({ message: edited, removedKeys: [] });
      return { ...ctx, message, edited };
    }

    it('saves the new content, then emits message.edited', async () => {
      const ctx = setupEdit();
      const { sut, messages, events, message, edited } = ctx;
      messages.mentionsOf.mockResolvedValue(new Map([[message.id, [OTHER]]]));

      const reply = await sut.edit(ME, { messageId: message.id, content: 'new' });

      // undefined mentions: keep the stored ones.
      expect(messages.edit).toHaveBeenCalledWith(message, 'new', undefined, undefined, T0);
      expect(reply).toEqual({ message: toMessageDto(edited, [OTHER]) });
      expect(events.emitted).toEqual([{ name: 'message.edited', payload: reply }]);
      expect(messages.edit).toHaveBeenCalledBefore(events.emit);
    });

    it('clears mentions when given an empty list', async () => {
      const ctx = setupEdit();

      await ctx.sut.edit(ME, { messageId: ctx.message.id, content: 'new', mentions: [] });

      expect(ctx.messages.edit).toHaveBeenCalledWith(ctx.message, 'new', [], undefined, T0);
    });

    it('refuses a mention of someone outside the room', async () => {
      const ctx = setupEdit();

      await expectAppError(
        ctx.sut.edit(ME, { messageId: ctx.message.id, content: 'x', mentions: [999] }),
        'USER_NOT_FOUND',
      );
      expectNothingWritten(ctx);
    });

    it('changes nothing when I am not the author', async () => {
      const ctx = setupEdit();
      ctx.access.requireMessageAuthor.mockRejectedValue(new AppError('NOT_MESSAGE_AUTHOR', 'no'));

      await expectAppError(ctx.sut.edit(ME, { messageId: ctx.message.id, content: 'x' }), 'NOT_MESSAGE_AUTHOR');
      expect(ctx.access.requireMessageAuthor).toHaveBeenCalledWith(ME, ctx.message.id);
      expectNothingWritten(ctx);
    });
  });

  describe('delete', () => {
    it('soft-deletes, then emits message.deleted without content or mentions', async () => {
      const ctx = setup();
      const { sut, room, messages, events } = ctx;
      const message = makeMessage({ roomId: room.id, senderId: ME });
      ctx.access.requireMessageAuthor.mockResolvedValue({ message, room });
      messages.softDelete.mockResolvedValue({
        message: { ...message, content: null, deletedAt: T0, updatedAt: T0 },
        removedKeys: [],
      });

      const reply = await sut.delete(ME, message.id);

      expect(messages.softDelete).toHaveBeenCalledWith(message, T0);
      expect(reply.message).toMatchObject({ id: message.id, content: null, deleted: true, mentions: [] });
      expect(events.emitted).toEqual([{ name: 'message.deleted', payload: reply }]);
      expect(messages.softDelete).toHaveBeenCalledBefore(events.emit);
    });

    it('changes nothing when I am not the author', async () => {
      const ctx = setup();
      ctx.access.requireMessageAuthor.mockRejectedValue(new AppError('NOT_MESSAGE_AUTHOR', 'no'));

      await expectAppError(ctx.sut.delete(ME, 5), 'NOT_MESSAGE_AUTHOR');
      expectNothingWritten(ctx);
    });
  });

  describe('history', () => {
    it('answers a page oldest first and says whether older messages exist', async () => {
      const { sut, room, messages } = setup();
      // The repository answers newest first, one row more than asked.
      const rows = [makeMessage({ id: 30 }), makeMessage({ id: 20 }), makeMessage({ id: 10 })];
      messages.page.mockResolvedValue(rows);

      const reply = await sut.history(ME, { roomId: room.id, beforeId: 40, limit: 2 });

      expect(messages.page).toHaveBeenCalledWith(room.id, { beforeId: 40, threadId: undefined, limit: 2 });
      expect(reply.messages.map((m) => m.id)).toEqual([20, 30]);
      expect(reply.hasMore).toBe(true);
    });

    it('uses the default page size and reports the last page', async () => {
      const { sut, room, messages } = setup();
      messages.page.mockResolvedValue([makeMessage({ id: 2 }), makeMessage({ id: 1 })]);

      const reply = await sut.history(ME, { roomId: room.id });

      expect(messages.page).toHaveBeenCalledWith(
        room.id,
        expect.objectContaining({ limit: LIMITS.historyPageDefault }),
      );
      expect(reply).toMatchObject({ hasMore: false, messages: [{ id: 1 }, { id: 2 }] });
    });

    it('refuses a thread whose parent is in another room', async () => {
      const { sut, room, messages } = setup();
      messages.findById.mockResolvedValue(makeMessage({ roomId: room.id + 1 }));

      await expectAppError(sut.history(ME, { roomId: room.id, threadId: 5 }), 'MESSAGE_NOT_FOUND');
      expect(messages.page).not.toHaveBeenCalled();
    });

    it('reads nothing from a room I am not in', async () => {
      const { sut, room, messages, access } = setup();
      access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

      await expectAppError(sut.history(ME, { roomId: room.id }), 'ROOM_NOT_FOUND');
      expect(messages.page).not.toHaveBeenCalled();
    });
  });

  describe('sync', () => {
    it('reports rooms I left and does not read them', async () => {
      const { sut, rooms, messages } = setup();
      rooms.roomIdsOf.mockResolvedValue([1, 2]);
      messages.newerThan.mockResolvedValue([]);

      const reply = await sut.sync(ME, {
        rooms: [
          { roomId: 2, lastMessageId: 0, since: 0 },
          { roomId: 3, lastMessageId: 50, since: 0 },
        ],
      });

      expect(reply).toEqual({ serverTime: T0, rooms: [{ roomId: 2, messages: [], gap: false }], removedRoomIds: [3] });
      expect(messages.newerThan).toHaveBeenCalledTimes(1);
      expect(messages.newerThan).toHaveBeenCalledWith(2, 0, LIMITS.syncMessagesPerRoom);
      // A client holding nothing cannot have stale copies.
      expect(messages.changedSince).not.toHaveBeenCalled();
    });

    it('sends changed messages, then new ones oldest first, looking back by the clock skew', async () => {
      const { sut, rooms, messages } = setup();
      rooms.roomIdsOf.mockResolvedValue([2]);
      messages.changedSince.mockResolvedValue([makeMessage({ id: 40, roomId: 2 })]);
      messages.newerThan.mockResolvedValue([makeMessage({ id: 52, roomId: 2 }), makeMessage({ id: 51, roomId: 2 })]);

      const reply = await sut.sync(ME, { rooms: [{ roomId: 2, lastMessageId: 50, since: T0 - 60_000 }] });

      expect(messages.changedSince).toHaveBeenCalledWith(
        2,
        50,
        T0 - 60_000 - SYNC_CLOCK_SKEW_MS,
        LIMITS.syncMessagesPerRoom,
      );
      expect(reply.rooms[0].messages.map((m) => m.id)).toEqual([40, 51, 52]);
      expect(reply.rooms[0].gap).toBe(false);
    });

    it('flags a gap when more new messages exist than one sync sends', async () => {
      const { sut, rooms, messages } = setup();
      rooms.roomIdsOf.mockResolvedValue([2]);
      const newest = Array.from({ length: LIMITS.syncMessagesPerRoom + 1 }, (_, i) =>
        makeMessage({ id: 1000 - i, roomId: 2 }),
      );
      messages.newerThan.mockResolvedValue(newest);
      messages.changedSince.mockResolvedValue([]);

      const reply = await sut.sync(ME, { rooms: [{ roomId: 2, lastMessageId: 1, since: 0 }] });

      expect(reply.rooms[0].gap).toBe(true);
      expect(reply.rooms[0].messages).toHaveLength(LIMITS.syncMessagesPerRoom);
      // The newest ones are kept; the client fetches the gap with message.history.
      expect(reply.rooms[0].messages.at(-1)?.id).toBe(1000);
      expect(reply.rooms[0].messages[0].id).toBe(1000 - LIMITS.syncMessagesPerRoom + 1);
    });

    it('flags a gap instead of replaying more edited messages than one sync sends', async () => {
      const { sut, rooms, messages } = setup();
      rooms.roomIdsOf.mockResolvedValue([2]);
      const edited = Array.from({ length: LIMITS.syncMessagesPerRoom + 1 }, (_, i) =>
        makeMessage({ id: i + 1, roomId: 2 }),
      );
      messages.changedSince.mockResolvedValue(edited);
      messages.newerThan.mockResolvedValue([]);

      const reply = await sut.sync(ME, { rooms: [{ roomId: 2, lastMessageId: 500, since: 0 }] });

      expect(reply.rooms[0].gap).toBe(true);
      expect(reply.rooms[0].messages).toHaveLength(LIMITS.syncMessagesPerRoom);
    });
  });

  describe('search', () => {
    it('answers one page and whether more matches exist', async () => {
      const { sut, room, messages } = setup();
      const rows = Array.from({ length: LIMITS.searchPageSize + 1 }, () => makeMessage({ roomId: room.id }));
      messages.search.mockResolvedValue(rows);

      const reply = await sut.search(ME, { roomId: room.id, query: 'hi' });

      expect(messages.search).toHaveBeenCalledWith({ roomId: room.id }, 'hi', 0, LIMITS.searchPageSize);
      expect(reply.messages).toHaveLength(LIMITS.searchPageSize);
      expect(reply.hasMore).toBe(true);
    });

    it('searches nothing in a room I am not in', async () => {
      const { sut, room, messages, access } = setup();
      access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

      await expectAppError(sut.search(ME, { roomId: room.id, query: 'hi' }), 'ROOM_NOT_FOUND');
      expect(messages.search).not.toHaveBeenCalled();
    });

    it('without a roomId scopes the search to my memberships', async () => {
      const { sut, messages } = setup();
      messages.search.mockResolvedValue([]);

      await sut.search(ME, { query: 'hi', offset: 20 });

      expect(messages.search).toHaveBeenCalledWith({ userId: ME }, 'hi', 20, LIMITS.searchPageSize);
    });
  });

  describe('markRead', () => {
    it('moves the pointer, then emits message.read', async () => {
      const { sut, room, messages, rooms, events } = setup();
      messages.findById.mockResolvedValue(makeMessage({ id: 20, roomId: room.id }));
      rooms.advanceRead.mockResolvedValue(20);

      await expect(sut.markRead(ME, { roomId: room.id, messageId: 20 })).resolves.toEqual({ lastReadMessageId: 20 });

      expect(rooms.advanceRead).toHaveBeenCalledWith(room.id, ME, 20);
      expect(events.emitted).toEqual([
        { name: 'message.read', payload: { roomId: room.id, userId: ME, lastReadMessageId: 20 } },
      ]);
      expect(rooms.advanceRead).toHaveBeenCalledBefore(events.emit);
    });

    it('emits nothing when the pointer did not move (an older message, or a repeat)', async () => {
      const { sut, room, messages, rooms, events, member } = setup();
      messages.findById.mockResolvedValue(makeMessage({ id: 5, roomId: room.id }));
      // The pointer only moves forward: the repository answers the unchanged one.
      rooms.advanceRead.mockResolvedValue(member.lastReadMessageId);

      const reply = await sut.markRead(ME, { roomId: room.id, messageId: 5 });

      expect(reply).toEqual({ lastReadMessageId: member.lastReadMessageId });
      expect(events.emitted).toEqual([]);
    });

    it('refuses a message of another room and moves nothing', async () => {
      const ctx = setup();
      ctx.messages.findById.mockResolvedValue(makeMessage({ roomId: ctx.room.id + 1 }));

      await expectAppError(ctx.sut.markRead(ME, { roomId: ctx.room.id, messageId: 5 }), 'MESSAGE_NOT_FOUND');
      expectNothingWritten(ctx);
    });
  });

  describe(toMessageDto.name, () => {
    it('hides the content and mentions of a deleted message but keeps its place and thread', () => {
      const message = makeMessage({ content: 'secret', deletedAt: T0, threadCount: 4 });

      expect(toMessageDto(message, [OTHER])).toMatchObject({
        id: message.id,
        content: null,
        mentions: [],
        deleted: true,
        threadCount: 4,
      });
    });
  });
});
