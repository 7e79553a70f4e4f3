import { PROTOCOL_VERSION } from '@pychat/protocol/constants';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './logger';
import { WsService, type WsListener } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;

class FakeSocket {
  static urls: string[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.urls.push(url);
  }
  close(): void {
    this.readyState = 3;
  }
}

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
    FakeSocket.urls = [];
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
});
