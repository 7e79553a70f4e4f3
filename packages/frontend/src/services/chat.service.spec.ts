import type { ClientMessages, MessageDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import type { PendingMessage } from '../store/types';
import { ChatService } from './chat.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import { WsDisconnectedError, WsRequestError, type WsService } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;

/** An IndexedDB outbox kept in memory. */
function memoryDb() {
  const outbox = new Map<string, PendingMessage>();
  return {
    outbox,
    db: {
      queue: vi.fn(async (p: PendingMessage) => void outbox.set(p.localId, p)),
      unqueue: vi.fn(async (id: string) => void outbox.delete(id)),
      outbox: vi.fn(async () => [...outbox.values()]),
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
