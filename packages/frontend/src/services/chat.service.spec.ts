import type { ClientMessages, MessageDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import type { OutboxFile, PendingMessage } from '../store/types';
import { ApiError, type ApiService } from './api.service';
import { ChatService, OUTBOX_FILES_MAX_MB, OutboxFullError } from './chat.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import { WsDisconnectedError, WsRequestError, type WsService } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;

/** An IndexedDB outbox kept in memory; entries are copied in and out, as IndexedDB's structured clone does. */
function memoryDb() {
  const outbox = new Map<string, PendingMessage>();
  const copy = (p: PendingMessage): PendingMessage => ({ ...p, files: p.files?.map((f) => ({ ...f })) });
  return {
    outbox,
    db: {
      queue: vi.fn(async (p: PendingMessage) => {
        outbox.delete(p.localId);
        outbox.set(p.localId, copy(p));
      }),
      updateQueued: vi.fn(async (p: PendingMessage) => {
        if (outbox.has(p.localId)) {
          outbox.set(p.localId, copy(p));
        }
      }),
      requeue: vi.fn(async (id: string) => {
        const current = outbox.get(id);
        if (!current) {
          return null;
        }
        outbox.delete(id);
        outbox.set(id, { ...current, status: 'sending', error: undefined });
        return current;
      }),
      unqueue: vi.fn(async (id: string) => void outbox.delete(id)),
      outbox: vi.fn(async () => [...outbox.values()].map(copy)),
      putMessages: vi.fn(async () => undefined),
    } as unknown as LocalDbService,
  };
}

function fakeWs() {
  const sent: ClientMessages['message.send'][] = [];
  let nextId = 100;
  const ws = {
    isOpen: false,
    request: vi.fn(async (type: string, data: ClientMessages['message.send']) => {
      if (type !== 'message.send') {
        throw new Error(`unexpected ${type}`);
      }
      if (!ws.isOpen) {
        throw new WsDisconnectedError();
      }
      sent.push(data);
      const message: MessageDto = {
        id: nextId++,
        roomId: data.roomId,
        senderId: 1,
        content: data.content,
        parentId: data.parentId ?? null,
        threadCount: 0,
        mentions: data.mentions ?? [],
        attachments: [],
        createdAt: 1,
        editedAt: null,
        deleted: false,
        reactions: [],
        pinnedAt: null,
        pinnedBy: null,
      };
      return { message, duplicate: false };
    }),
  };
  return { ws, sent };
}

function setup() {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  const { ws, sent } = fakeWs();
  const { db, outbox } = memoryDb();
  const chat = new ChatService(store, ws as unknown as WsService, db, logger);
  return { store, ws, sent, outbox, chat };
}

describe('ChatService outbox', () => {
  it('shows a message at once and keeps it queued while offline', async () => {
    const { store, sent, outbox, chat } = setup();
    await chat.send(3, 'offline hello');
    const pending = Object.values(store.state.messages.rooms[3]?.pending ?? {});
    expect(pending.map((p) => [p.content, p.status])).toEqual([['offline hello', 'sending']]);
    expect(outbox.size).toBe(1);
    expect(sent).toHaveLength(0);
  });

  it('sends queued messages in order once connected, each exactly once, and swaps in the server copies', async () => {
    const { store, ws, sent, outbox, chat } = setup();
    await chat.send(3, 'first');
    await chat.send(3, 'second');
    ws.isOpen = true;
    await chat.flushOutbox();
    await chat.flushOutbox();
    expect(sent.map((s) => s.content)).toEqual(['first', 'second']);
    expect(new Set(sent.map((s) => s.localId)).size).toBe(2);
    expect(outbox.size).toBe(0);
    expect(store.state.messages.rooms[3]?.pending).toEqual({});
    expect(Object.values(store.state.messages.rooms[3]?.byId ?? {}).map((m) => m.content)).toEqual(['first', 'second']);
  });

  it('marks a refused message as failed instead of retrying it forever', async () => {
    const { store, ws, outbox, chat } = setup();
    ws.isOpen = true;
    ws.request.mockRejectedValueOnce(new WsRequestError({ code: 'ROOM_NOT_FOUND', message: 'Room 3 does not exist' }));
    await chat.send(3, 'to nowhere');
    const [pending] = Object.values(store.state.messages.rooms[3]?.pending ?? {});
    expect(pending?.status).toBe('failed');
    expect(pending?.error).toContain('Room 3');
    expect(outbox.size).toBe(0);
  });

  it('waits out RATE_LIMITED and sends the message then, instead of failing it', async () => {
    const { store, ws, sent, outbox, chat } = setup();
    ws.isOpen = true;
    ws.request.mockRejectedValueOnce(
      new WsRequestError({ code: 'RATE_LIMITED', message: 'Too many message.send requests', retryAfterMs: 5 }),
    );
    await chat.send(3, 'burst');
    expect(sent.map((s) => s.content)).toEqual(['burst']);
    expect(outbox.size).toBe(0);
    expect(store.state.messages.rooms[3]?.pending).toEqual({});
  });

  it('keeps the message queued when the connection drops mid-send', async () => {
    const { store, ws, outbox, chat } = setup();
    ws.isOpen = true;
    ws.request.mockRejectedValueOnce(new WsDisconnectedError());
    await chat.send(3, 'lost reply');
    expect(outbox.size).toBe(1);
    expect(Object.values(store.state.messages.rooms[3]?.pending ?? {})[0]?.status).toBe('sending');
  });
});

describe('ChatService in a p2p room', () => {
  it('hands sends, edits, deletes and read pointers to the p2p service; nothing goes to the server', async () => {
    const store = createAppStore();
    const { db } = memoryDb();
    const { ws, sent } = fakeWs();
    ws.isOpen = true;
    const chat = new ChatService(store, ws as unknown as WsService, db, logger);
    const p2p = {
      isP2p: (roomId: number) => roomId === 9,
      send: vi.fn(async () => undefined),
      edit: vi.fn(async () => undefined),
      delete: vi.fn(async () => undefined),
      load: vi.fn(async () => undefined),
      markRead: vi.fn(),
    };
    chat.p2p = p2p;
    const shown: MessageDto = {
      id: 1_800_000_000_000_123,
      roomId: 9,
      senderId: 0,
      content: 'secret',
      parentId: null,
      threadCount: 0,
      mentions: [],
      attachments: [],
      createdAt: 1,
      editedAt: null,
      deleted: false,
      reactions: [],
      pinnedAt: null,
      pinnedBy: null,
    };
    store.commit('messages/upsert', [shown]);

    await chat.send(9, 'secret');
    await chat.edit(shown.id, 'secret, edited');
    await chat.delete(shown.id);
    await chat.loadNewest(9);

    expect(p2p.send).toHaveBeenCalledWith(9, 'secret');
    expect(p2p.edit).toHaveBeenCalledWith(9, shown.id, 'secret, edited');
    expect(p2p.delete).toHaveBeenCalledWith(9, shown.id);
    expect(p2p.load).toHaveBeenCalledWith(9);
    expect(ws.request).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
    await expect(chat.send(9, 'with a file', { attachments: [4] })).rejects.toThrow(/not available/);
  });
});

/** POST /api/files as the outbox sees it: each call answers the next scripted outcome (default: uploaded). */
function fakeUploads() {
  const uploaded: string[] = [];
  const outcomes: (Error | null)[] = [];
  let nextId = 500;
  const uploads = {
    upload: vi.fn((file: Blob, name: string, onProgress: (sent: number, total: number) => void) => {
      const outcome = outcomes.shift() ?? null;
      onProgress(file.size, file.size);
      const done = outcome
        ? Promise.reject(outcome)
        : Promise.resolve().then(() => {
            uploaded.push(name);
            return {
              id: nextId++,
              kind: 'image' as const,
              name,
              size: file.size,
              mime: 'image/png',
              width: 1,
              height: 1,
              durationMs: null,
              url: '/x',
              thumbnailUrl: null,
              previewUrl: null,
            };
          });
      return { done, abort: () => undefined };
    }),
    setPoster: vi.fn(),
  };
  return { uploads, uploaded, outcomes };
}

function file(name: string, size = 10): OutboxFile {
  return { name, size, kind: 'image', blob: new Blob([new Uint8Array(size)]), id: null };
}

function setupWithFiles() {
  const base = setup();
  const { uploads, uploaded, outcomes } = fakeUploads();
  base.chat.uploads = uploads as unknown as Pick<ApiService, 'upload' | 'setPoster'>;
  return { ...base, uploads, uploaded, outcomes };
}

describe('ChatService outbox with files', () => {
  it('keeps the bytes while offline, uploads them once online, then sends the message with their ids, in order', async () => {
    const { ws, sent, outbox, chat, uploaded } = setupWithFiles();
    await chat.send(3, 'before');
    await chat.send(3, 'a picture', { files: [file('a.png'), file('b.png')] });
    await chat.send(3, 'after');
    expect(uploaded).toEqual([]);
    expect([...outbox.values()][1]?.files?.map((f) => f.blob instanceof Blob)).toEqual([true, true]);

    ws.isOpen = true;
    await chat.flushOutbox();
    await chat.flushOutbox();
    expect(uploaded).toEqual(['a.png', 'b.png']);
    expect(sent.map((s) => [s.content, s.attachments])).toEqual([
      ['before', undefined],
      ['a picture', [500, 501]],
      ['after', undefined],
    ]);
    expect(outbox.size).toBe(0);
  });

  it('a network error keeps the message and its remaining bytes queued; an uploaded file is never uploaded again', async () => {
    const { ws, sent, outbox, chat, uploaded, outcomes, store } = setupWithFiles();
    ws.isOpen = true;
    outcomes.push(null, new Error('Network error during the upload'));
    await chat.send(3, 'two files', { files: [file('a.png'), file('b.png')] });
    expect(sent).toEqual([]);
    const [queued] = [...outbox.values()];
    expect(queued?.files?.map((f) => [f.id, f.blob === null])).toEqual([
      [500, true],
      [null, false],
    ]);
    expect(Object.values(store.state.messages.rooms[3]?.pending ?? {})[0]?.status).toBe('sending');

    await chat.flushOutbox();
    expect(uploaded).toEqual(['a.png', 'b.png']);
    expect(sent.map((s) => s.attachments)).toEqual([[500, 501]]);
    expect(outbox.size).toBe(0);
  });

  it('a refused upload (413) fails the message with Retry / Discard instead of looping, and holds nobody up', async () => {
    const { ws, sent, outbox, chat, outcomes, store, uploads } = setupWithFiles();
    outcomes.push(new ApiError(413, { code: 'FILE_TOO_LARGE', message: 'The file is larger than 1 MB' }));
    await chat.send(3, 'too big', { files: [file('big.png')] });
    await chat.send(3, 'plain text');
    ws.isOpen = true;
    await chat.flushOutbox();
    await chat.flushOutbox();
    expect(uploads.upload).toHaveBeenCalledTimes(1);
    expect(sent.map((s) => s.content)).toEqual(['plain text']);
    const failed = Object.values(store.state.messages.rooms[3]?.pending ?? {})[0];
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toContain('big.png');
    // Kept (the bytes are nowhere else) and marked failed, so a reload still offers Retry / Discard.
    expect([...outbox.values()].map((p) => p.status)).toEqual(['failed']);

    await chat.retryFailed(failed!);
    expect(sent.map((s) => [s.content, s.attachments])).toEqual([
      ['plain text', undefined],
      ['too big', [500]],
    ]);
    expect(outbox.size).toBe(0);
  });

  it('discarding a failed message drops its queued bytes', async () => {
    const { ws, outbox, chat, outcomes, store } = setupWithFiles();
    outcomes.push(new ApiError(403, { code: 'FORBIDDEN', message: 'Over quota' }));
    ws.isOpen = true;
    await chat.send(3, 'over quota', { files: [file('q.png')] });
    const failed = Object.values(store.state.messages.rooms[3]?.pending ?? {})[0]!;
    await chat.discardFailed(3, failed.localId);
    expect(outbox.size).toBe(0);
    expect(store.state.messages.rooms[3]?.pending).toEqual({});
  });

  it(`refuses to queue more than ${OUTBOX_FILES_MAX_MB} MB of files`, async () => {
    const { outbox, chat } = setupWithFiles();
    const mb = 1024 * 1024;
    await chat.send(3, 'big', { files: [{ ...file('a.png'), size: OUTBOX_FILES_MAX_MB * mb - 5 }] });
    await expect(chat.send(3, 'one more', { files: [file('b.png')] })).rejects.toThrow(OutboxFullError);
    expect(outbox.size).toBe(1);
    expect(await chat.queuedFileBytes()).toBe(OUTBOX_FILES_MAX_MB * mb - 5);
  });
});
