import { PROTOCOL_VERSION } from '@pychat/protocol/constants';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './logger';
import { WsService, type WsListener } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;

class FakeSocket {
  static urls: string[] = [];
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: { type: string; id?: number }[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.urls.push(url);
    FakeSocket.all.push(this);
  }
  send(raw: string): void {
    this.sent.push(JSON.parse(raw) as { type: string; id?: number });
  }
  /** On a dead link the browser's close comes only later (when the network returns), if ever. */
  close(): void {
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  fireClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  reply(id: number): void {
    this.onmessage?.({ data: JSON.stringify({ type: 'reply', replyTo: id, data: {} }) });
  }
}

const FakeWebSocket = Object.assign(FakeSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

function listener(params?: Record<string, string | number | undefined>): WsListener {
  return {
    onFrame: vi.fn(),
    onOpen: vi.fn(),
    onClose: vi.fn(),
    onSessionEnded: vi.fn(),
    connectParams: params ? () => params : undefined,
  };
}

describe('WsService', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    FakeSocket.urls = [];
    FakeSocket.all = [];
  });

  it('connects with usersSince when a user directory is cached', () => {
    vi.stubGlobal('WebSocket', Object.assign(FakeSocket, { OPEN: 1 }));
    const ws = new WsService('ws://chat/ws', logger);
    ws.setListener(listener({ usersSince: 1_700_000_000_123 }));
    ws.connect();
    expect(FakeSocket.urls).toEqual([`ws://chat/ws?v=${PROTOCOL_VERSION}&usersSince=1700000000123`]);
  });

  it('connects without it on a fresh profile', () => {
    vi.stubGlobal('WebSocket', Object.assign(FakeSocket, { OPEN: 1 }));
    const ws = new WsService('ws://chat/ws', logger);
    ws.setListener(listener({ usersSince: undefined }));
    ws.connect();
    expect(FakeSocket.urls).toEqual([`ws://chat/ws?v=${PROTOCOL_VERSION}`]);
  });

  describe('losing the link', () => {
    function openService() {
      vi.useFakeTimers();
      vi.stubGlobal('WebSocket', FakeWebSocket);
      const events = listener();
      const ws = new WsService('ws://chat/ws', logger);
      ws.setListener(events);
      ws.connect();
      FakeSocket.all[0]!.open();
      return { ws, events, first: FakeSocket.all[0]! };
    }

    it('goes offline at the pong deadline and tries a fresh socket without waiting for the old close', async () => {
      const { events, first } = openService();
      vi.advanceTimersByTime(25_000);
      expect(first.sent.map((f) => f.type)).toEqual(['session.ping']);
      await vi.advanceTimersByTimeAsync(9_999);
      expect(events.onClose).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      // Offline now, although the dead socket never reported its close.
      expect(events.onClose).toHaveBeenCalledTimes(1);
      expect(FakeSocket.all).toHaveLength(2);

      // The old socket's late events change nothing.
      first.fireClose(1006);
      first.reply(first.sent[0]!.id!);
      expect(events.onClose).toHaveBeenCalledTimes(1);
      expect(events.onFrame).not.toHaveBeenCalled();
      expect(FakeSocket.all).toHaveLength(2);

      FakeSocket.all[1]!.open();
      expect(events.onOpen).toHaveBeenCalledTimes(2);
    });

    it('stays connected while pongs come', async () => {
      const { events, first } = openService();
      for (let i = 0; i < 3; i++) {
        await vi.advanceTimersByTimeAsync(25_000);
        first.reply(first.sent.at(-1)!.id!);
      }
      await vi.advanceTimersByTimeAsync(20_000);
      expect(events.onClose).not.toHaveBeenCalled();
      expect(FakeSocket.all).toHaveLength(1);
    });

    it('goes offline at once when the browser goes offline, and retries at once when it is back', () => {
      const { ws, events } = openService();
      ws.wentOffline();
      expect(events.onClose).toHaveBeenCalledTimes(1);
      // The fresh try fails fast while offline; the next one waits for the backoff...
      expect(FakeSocket.all).toHaveLength(2);
      FakeSocket.all[1]!.fireClose(1006);
      expect(FakeSocket.all).toHaveLength(2);
      // ...unless the browser says it is online again.
      ws.reconnectNow();
      expect(FakeSocket.all).toHaveLength(3);
      FakeSocket.all[2]!.open();
      expect(events.onOpen).toHaveBeenCalledTimes(2);
    });

    it('replaces a connect stuck on the old network when the browser is back online', () => {
      const { ws, events } = openService();
      ws.wentOffline();
      const stuck = FakeSocket.all[1]!;
      ws.reconnectNow();
      expect(FakeSocket.all).toHaveLength(3);
      stuck.fireClose(1006);
      expect(events.onClose).toHaveBeenCalledTimes(1);
      expect(FakeSocket.all).toHaveLength(3);
    });

    it('gives up a connect that hangs and backs off', () => {
      vi.useFakeTimers();
      vi.stubGlobal('WebSocket', FakeWebSocket);
      const events = listener();
      const ws = new WsService('ws://chat/ws', logger);
      ws.setListener(events);
      ws.connect();
      vi.advanceTimersByTime(15_000);
      expect(events.onClose).toHaveBeenCalledTimes(1);
      expect(FakeSocket.all).toHaveLength(1);
      vi.advanceTimersByTime(1_300);
      expect(FakeSocket.all).toHaveLength(2);
    });

    it('asks an open socket for a pong when the browser is back online', () => {
      const { ws, first } = openService();
      ws.reconnectNow();
      expect(first.sent.map((f) => f.type)).toEqual(['session.ping']);
      expect(FakeSocket.all).toHaveLength(1);
    });
  });
});
