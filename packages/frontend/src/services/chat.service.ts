import type { ClientReplies, MessageDto, ServerMessages } from '@pychat/protocol';
import { LIMITS } from '@pychat/protocol/constants';
import type { AppStore } from '../store';
import { newestIdOf, oldestTopLevelIdOf, unreadAfter } from '../store/modules/messages';
import type { OutboxFile, PendingMessage } from '../store/types';
import { firstFrame } from '../utils/video-poster';
import { ApiError, type ApiService } from './api.service';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import { StoreSync } from './store-sync';
import type { P2pRoomService } from './webrtc/p2p-room.service';
import { syncBatches } from './sync-batches';
import { WsDisconnectedError, WsRequestError, type WsService } from './ws.service';

/** Typing frames are throttled: one every few seconds while the user keeps typing. */
const TYPING_THROTTLE_MS = 3_000;

/** Bytes of files the outbox keeps for messages written offline, all rooms together (docs/frontend.md). */
export const OUTBOX_FILES_MAX_MB = 50;
const OUTBOX_FILES_MAX_BYTES = OUTBOX_FILES_MAX_MB * 1024 * 1024;

/** The outbox would hold more than OUTBOX_FILES_MAX_MB of files: the composer says so instead of queueing. */
export class OutboxFullError extends Error {
  constructor() {
    super(`Files can be queued offline up to ${OUTBOX_FILES_MAX_MB} MB in all; send these once online`);
  }
}

/**
 * An upload error that sending again cannot fix (too large, over quota, refused): the message fails with
 * Retry / Discard. Anything else (no network, 5xx, 408, 429) leaves it queued for the next reconnect.
 */
function isPermanent(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}

function newLocalId(): string {
  return `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join('')}`.slice(0, 64);
}

/**
 * Messages: local echo and the offline outbox, history pages, resync after reconnect, read pointers,
 * typing. Components call these methods; they never touch the socket.
 */
export class ChatService {
  #lastTyping = new Map<number, number>();
  #flushing: Promise<void> | null = null;
  readonly #sync: StoreSync;
  /** P2P rooms' messages go here instead of the server (set once in main.ts; the tests may leave it out). */
  p2p: Pick<P2pRoomService, 'isP2p' | 'send' | 'edit' | 'delete' | 'load' | 'markRead'> | null = null;
  /** Uploads the files of messages queued offline (set once in main.ts). */
  uploads: Pick<ApiService, 'upload' | 'setPoster'> | null = null;

  constructor(
    private readonly store: AppStore,
    private readonly ws: WsService,
    private readonly db: LocalDbService,
    private readonly logger: Logger,
  ) {
    this.#sync = new StoreSync(store, db);
  }

  private get me(): number {
    return this.store.state.session.me?.id ?? 0;
  }

  /** Shows the message at once as pending, keeps it in IndexedDB until the server confirms it, then sends. */
  async send(
    roomId: number,
    content: string,
    options: {
      parentId?: number | null;
      mentions?: number[];
      attachments?: number[];
      files?: OutboxFile[];
      replyToId?: number | null;
    } = {},
  ) {
    if (this.p2p?.isP2p(roomId)) {
      if (options.attachments?.length || options.files?.length || options.parentId) {
        throw new Error('Files and threads are not available in peer-to-peer rooms; use "Send directly" for files');
      }
      await this.p2p.send(roomId, content);
      return;
    }
    const pending: PendingMessage = {
      localId: newLocalId(),
      roomId,
      senderId: this.me,
      content,
      parentId: options.parentId ?? null,
      mentions: options.mentions ?? [],
      ...(options.attachments?.length ? { attachments: options.attachments } : {}),
      ...(options.replyToId ? { replyToId: options.replyToId } : {}),
      ...(options.files?.length ? { files: options.files } : {}),
      createdAt: Date.now(),
      status: 'sending',
    };
    const bytes = (options.files ?? []).reduce((sum, f) => sum + (f.blob ? f.size : 0), 0);
    if (bytes > 0 && (await this.queuedFileBytes()) + bytes > OUTBOX_FILES_MAX_BYTES) {
      throw new OutboxFullError();
    }
    await this.#sync.pending(pending);
    await this.flushOutbox();
  }

  /** Sends queued messages in order, once connected. A resend reuses its localId, so it never duplicates. */
  flushOutbox(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Bytes of files waiting in the outbox to be uploaded. */
  async queuedFileBytes(): Promise<number> {
    let bytes = 0;
    for (const pending of await this.db.outbox()) {
      for (const file of pending.files ?? []) {
        bytes += file.blob ? file.size : 0;
      }
    }
    return bytes;
  }

  async #flush(): Promise<void> {
    for (const pending of await this.db.outbox()) {
      // Failed with files: kept (the bytes are nowhere else) until Retry or Discard; it holds nobody up.
      if (pending.status === 'failed') {
        continue;
      }
      if (!(await this.#sendPending(pending))) {
        return;
      }
    }
  }

  /** Sends one queued message; false when the socket closed (it stays queued, sent again after the reconnect). */
  async #sendPending(pending: PendingMessage): Promise<boolean> {
    for (;;) {
      if (!this.ws.isOpen) {
        return false;
      }
      this.store.commit('messages/retryPending', { roomId: pending.roomId, localId: pending.localId });
      try {
        if (!(await this.#uploadFiles(pending))) {
          return false;
        }
        const { message } = await this.ws.request('message.send', {
          roomId: pending.roomId,
          content: pending.content,
          localId: pending.localId,
          parentId: pending.parentId,
          mentions: pending.mentions.length > 0 ? pending.mentions : undefined,
          attachments: pending.files ? pending.files.map((f) => f.id ?? 0) : pending.attachments,
          ...(pending.replyToId ? { replyToId: pending.replyToId } : {}),
        });
        this.confirm(pending.localId, message);
        await this.db.unqueue(pending.localId);
        return true;
      } catch (error) {
        if (error instanceof WsDisconnectedError) {
          return false;
        }
        if (error instanceof WsRequestError && error.code === 'RATE_LIMITED') {
          // A long offline outbox outruns the server's send budget: wait as told, then go on in order.
          await new Promise((resolve) => setTimeout(resolve, error.body.retryAfterMs ?? 1_000));
          continue;
        }
        const text = error instanceof WsRequestError || error instanceof ApiError ? error.message : String(error);
        this.store.commit('messages/failPending', { roomId: pending.roomId, localId: pending.localId, error: text });
        await (pending.files
          ? this.db.updateQueued({ ...pending, status: 'failed', error: text })
          : this.db.unqueue(pending.localId));
        this.toast('error', `Message not sent: ${text}`);
        return true;
      }
    }
  }

  /**
   * Uploads a queued message's files not uploaded yet, in order (the composer's path: POST /api/files with
   * progress, then a video's poster). Each uploaded file's bytes leave IndexedDB at once, so a reload never
   * uploads it twice. False: a network error, it stays queued. A permanent refusal is thrown (the message fails).
   */
  async #uploadFiles(pending: PendingMessage): Promise<boolean> {
    const { roomId, localId } = pending;
    for (const file of pending.files ?? []) {
      if (file.id !== null || !file.blob) {
        continue;
      }
      if (!this.uploads) {
        return false;
      }
      try {
        const blob = file.blob;
        let uploaded = await this.uploads.upload(blob, file.name, (sent, total) =>
          this.store.commit('messages/setPendingProgress', { roomId, localId, progress: total > 0 ? sent / total : 0 }),
        ).done;
        if (uploaded.kind === 'video') {
          const frame = await firstFrame(blob).catch(() => null);
          // A poster is optional: the video goes without one rather than not at all.
          uploaded = frame ? await this.uploads.setPoster(uploaded.id, frame).catch(() => uploaded) : uploaded;
        }
        file.id = uploaded.id;
        file.blob = null;
        await this.db.updateQueued(pending);
      } catch (error) {
        if (isPermanent(error)) {
          throw new ApiError(error.status, { ...error.body, message: `${file.name}: ${error.message}` });
        }
        this.logger.warn('upload of a queued file failed, kept for the next reconnect {}', error)();
        return false;
      } finally {
        this.store.commit('messages/setPendingProgress', { roomId, localId, progress: null });
      }
    }
    return true;
  }

  /** Swaps the pending copy for the server's, by localId. */
  confirm(localId: string, message: MessageDto): void {
    void this.#sync.confirm(localId, message);
  }

  /** Drops a failed message (and the files it kept in the outbox). */
  async discardFailed(roomId: number, localId: string): Promise<void> {
    this.store.commit('messages/removePending', { roomId, localId });
    await this.db.unqueue(localId);
  }

  async retryFailed(pending: PendingMessage): Promise<void> {
    // One with files is still in the outbox: sent again from there, with the files it has not uploaded yet.
    if (pending.files && (await this.db.requeue(pending.localId))) {
      this.store.commit('messages/retryPending', { roomId: pending.roomId, localId: pending.localId });
      await this.flushOutbox();
      return;
    }
    this.store.commit('messages/removePending', { roomId: pending.roomId, localId: pending.localId });
    await this.send(pending.roomId, pending.content, {
      parentId: pending.parentId,
      mentions: pending.mentions,
      attachments: pending.attachments,
      files: pending.files,
    });
  }

  /** `attachments`: the ids the message keeps or gains (omitted: unchanged); dropped ones are deleted. */
  async edit(messageId: number, content: string, mentions?: number[], attachments?: number[]): Promise<void> {
    const p2pRoom = this.#p2pRoomOf(messageId);
    if (p2pRoom !== null) {
      await this.p2p?.edit(p2pRoom, messageId, content);
      return;
    }
    const { message } = await this.ws.request('message.edit', { messageId, content, mentions, attachments });
    await this.#sync.messages([message]);
  }

  async delete(messageId: number): Promise<void> {
    const p2pRoom = this.#p2pRoomOf(messageId);
    if (p2pRoom !== null) {
      await this.p2p?.delete(p2pRoom, messageId);
      return;
    }
    const { message } = await this.ws.request('message.delete', { messageId });
    await this.#sync.messages([message]);
  }

  /** Adds (`on`) or removes my emoji on a message; the reply's list is applied at once, the frame may follow. */
  async react(message: MessageDto, emoji: string, on: boolean): Promise<void> {
    const { reactions } = await this.ws.request('message.react', { messageId: message.id, emoji, on });
    await this.#sync.reactions(message.roomId, message.id, reactions);
  }

  /** Keeps the composer's unsent text of a room or thread, across room switches and reloads. */
  saveDraft(key: string, text: string): Promise<void> {
    return this.#sync.draft(key, text);
  }

  /** Pins or unpins a message; the reply's copy is applied at once, the room's frame may follow. */
  async pin(message: MessageDto, pinned: boolean): Promise<void> {
    const reply = await this.ws.request('message.pin', { messageId: message.id, pinned });
    await this.#sync.messages([reply.message]);
  }

  /** A room's pinned messages, most recently pinned first (not cached: the list is opened on demand). */
  async pins(roomId: number): Promise<MessageDto[]> {
    return (await this.ws.request('message.pins', { roomId })).messages;
  }

  /**
   * Loads older pages until `messageId` is held (the timeline stays contiguous, so scrolling from there works
   * as usual). Gives up after `maxPages` pages; returns whether the message is now held.
   */
  async loadUntil(roomId: number, messageId: number, maxPages = 40): Promise<boolean> {
    for (let page = 0; page < maxPages; page++) {
      const room = this.store.state.messages.rooms[roomId];
      if (room?.byId[messageId]) {
        return true;
      }
      if (room && !room.hasMore) {
        return false;
      }
      await this.loadOlder(roomId);
    }
    return this.store.state.messages.rooms[roomId]?.byId[messageId] !== undefined;
  }

  /** The newest page of a room, unless it is already loaded (from the server or IndexedDB). */
  /** The p2p room a shown message belongs to, or null for a server message. */
  #p2pRoomOf(messageId: number): number | null {
    for (const [roomId, room] of Object.entries(this.store.state.messages.rooms)) {
      if (room.byId[messageId] && this.p2p?.isP2p(Number(roomId))) {
        return Number(roomId);
      }
    }
    return null;
  }

  /** Drops the room's timeline and loads it again (p2p switched on or off: the other history is shown). */
  async reloadRoom(roomId: number): Promise<void> {
    this.store.commit('messages/resetRoom', roomId);
    await this.loadNewest(roomId);
  }

  async loadNewest(roomId: number): Promise<void> {
    if (this.p2p?.isP2p(roomId)) {
      await this.p2p.load(roomId);
      return;
    }
    const room = this.store.state.messages.rooms[roomId];
    if ((room?.loaded && room.syncedAt > 0) || !this.ws.isOpen) {
      return;
    }
    // Server clock at request time (the resync margin covers the estimate's error).
    const at = Date.now() + this.store.state.session.serverOffset;
    const { messages, hasMore } = await this.ws.request('message.history', { roomId, limit: 50 });
    await this.#sync.newestPage(roomId, messages, hasMore, at);
  }

  /** One older page (scrolling up). Returns how many messages came. */
  async loadOlder(roomId: number): Promise<number> {
    if (this.p2p?.isP2p(roomId)) {
      // A p2p room's whole history is loaded at once from IndexedDB.
      return 0;
    }
    const room = this.store.state.messages.rooms[roomId];
    if (!room || !room.hasMore || room.loadingHistory || !this.ws.isOpen) {
      return 0;
    }
    const oldest = oldestTopLevelIdOf(room) ?? Number.MAX_SAFE_INTEGER;
    this.store.commit('messages/setLoadingHistory', { roomId, loading: true });
    try {
      const { messages, hasMore } = await this.ws.request('message.history', {
        roomId,
        beforeId: oldest === Number.MAX_SAFE_INTEGER ? undefined : oldest,
        limit: 50,
      });
      await this.#sync.olderPage(roomId, messages, hasMore);
      return messages.length;
    } finally {
      this.store.commit('messages/setLoadingHistory', { roomId, loading: false });
    }
  }

  async loadThread(roomId: number, threadId: number): Promise<void> {
    let beforeId: number | undefined;
    for (let page = 0; page < 20; page++) {
      const { messages, hasMore } = await this.ws.request('message.history', {
        roomId,
        threadId,
        beforeId,
        limit: LIMITS.historyPageMax,
      });
      await this.#sync.messages(messages);
      if (!hasMore || messages.length === 0) {
        return;
      }
      beforeId = messages[0]?.id;
    }
  }

  /** After (re)connecting: what changed in every room we hold messages of, since its last sync. */
  async resync(): Promise<void> {
    const held = Object.entries(this.store.state.messages.rooms).filter(([, room]) => room.loaded);
    const rooms = held
      // A p2p room's timeline holds its p2p messages: the server has nothing of them to sync.
      .filter(([roomId]) => this.store.state.rooms.byId[Number(roomId)] && !this.p2p?.isP2p(Number(roomId)))
      .map(([roomId, room]) => ({
        roomId: Number(roomId),
        lastMessageId: newestIdOf(room),
        since: room.syncedAt,
      }));
    // A user in thousands of rooms needs several frames: one would pass the server's frame and sync limits.
    let synced = 0;
    for (const batch of syncBatches(rooms)) {
      synced += await this.applySync(await this.ws.request('message.sync', { rooms: batch }));
    }
    if (synced > 0) {
      this.logger.debug('resynced {} rooms', synced)();
    }
  }

  private async applySync(reply: ClientReplies['message.sync']): Promise<number> {
    for (const room of reply.rooms) {
      await this.#sync.synced(room, reply.serverTime);
    }
    for (const roomId of reply.removedRoomIds) {
      // No longer mine: session.ready already left it out of the room list; its messages go too.
      await this.#sync.removeRoom(roomId);
    }
    return reply.rooms.length;
  }

  /** Marks everything up to the newest message of the room as read by me. */
  async markRead(roomId: number): Promise<void> {
    const room = this.store.state.messages.rooms[roomId];
    const state = this.store.state.rooms.states[roomId];
    const newest = newestIdOf(room);
    const me = this.store.state.rooms.byId[roomId]?.members.find((m) => m.userId === this.me);
    if (this.p2p?.isP2p(roomId)) {
      if (newest > 0 && (!me || me.lastReadMessageId < newest || (state?.unread ?? 0) > 0)) {
        this.p2p.markRead(roomId, newest);
      }
      return;
    }
    if (!state || newest === 0 || !this.ws.isOpen || (me && me.lastReadMessageId >= newest && state.unread === 0)) {
      return;
    }
    const { lastReadMessageId } = await this.ws.request('message.read', { roomId, messageId: newest });
    this.applyRead({ roomId, userId: this.me, lastReadMessageId });
  }

  /** "Mark as unread from here": my pointer goes back to just before the message; answers the new pointer. */
  async markUnread(roomId: number, messageId: number): Promise<number> {
    const { lastReadMessageId } = await this.ws.request('message.unread', { roomId, messageId });
    this.applyRead({ roomId, userId: this.me, lastReadMessageId }, true);
    return lastReadMessageId;
  }

  /** `back`: the pointer may move backwards (only message.unread's own reply; receipts may arrive out of order). */
  applyRead(data: ServerMessages['message.read'], back = false): void {
    this.store.commit('rooms/setReadPointer', {
      roomId: data.roomId,
      userId: data.userId,
      messageId: data.lastReadMessageId,
      back,
    });
    if (data.userId === this.me) {
      const unread = unreadAfter(this.store.state.messages.rooms[data.roomId], data.lastReadMessageId, this.me);
      this.store.commit('rooms/setUnread', { roomId: data.roomId, unread });
    }
  }

  typing(roomId: number): void {
    const now = Date.now();
    if (
      !this.store.state.session.settings.showWhenITyping ||
      now - (this.#lastTyping.get(roomId) ?? 0) < TYPING_THROTTLE_MS
    ) {
      return;
    }
    this.#lastTyping.set(roomId, now);
    this.ws.send('typing.start', { roomId });
  }

  /** In one room, or with `roomId` null in every room I am in (each hit's roomId says where). */
  async search(roomId: number | null, query: string, offset = 0) {
    return this.ws.request('message.search', roomId === null ? { query, offset } : { roomId, query, offset });
  }

  private toast(kind: 'info' | 'error' | 'success', text: string): void {
    this.store.commit('notifications/push', { kind, text });
  }
}
