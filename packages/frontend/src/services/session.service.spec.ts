import { describe, expect, it, vi } from 'vitest';
import type { Router } from 'vue-router';
import { createAppStore } from '../store';
import type { ApiService } from './api.service';
import type { ChatService } from './chat.service';
import type { EventRouter } from './event-router';
import type { LocalDbService, Snapshot } from './local-db.service';
import type { Logger } from './logger';
import { SessionService } from './session.service';
import type { WsListener, WsService } from './ws.service';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;
const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };

function setup(snapshot: Snapshot | null, api = {} as ApiService) {
  const store = createAppStore();
  let listener: WsListener | undefined;
  const ws = {
    setListener: (l: WsListener) => (listener = l),
    connect: vi.fn(),
    disconnect: vi.fn(),
  } as unknown as WsService;
  const db = { load: vi.fn().mockResolvedValue(snapshot), wipe: vi.fn() } as unknown as LocalDbService;
  const session = new SessionService(store, api, ws, db, {} as ChatService, logger);
  session.attach({ push: vi.fn() } as unknown as Router, {} as EventRouter);
  return { session, ws, db, store, params: () => listener?.connectParams?.() };
}

function snapshot(usersSyncedAt: number | null): Snapshot {
  return {
    me,
    settings: undefined,
    users: [me],
    usersSyncedAt,
    rooms: [],
    states: [],
    channels: [],
    messages: [],
    outbox: [],
    syncs: [],
    drafts: {},
  };
}

describe('SessionService', () => {
  it('connects with the usersSince of the cached directory, and without it once signed out', async () => {
    const { session, ws, params } = setup(snapshot(42_000));
    await session.restore();
    expect(ws.connect).toHaveBeenCalledOnce();
    expect(params()).toEqual({ usersSince: 42_000 });
    await session.end();
    expect(params()).toEqual({ usersSince: undefined });
  });

  it('asks for the whole directory when the cache has none (a cache written by protocol v1)', async () => {
    const { session, params } = setup(snapshot(null));
    await session.restore();
    expect(params()).toEqual({ usersSince: undefined });
  });

  it('signs out everywhere through the API, then forgets everything local', async () => {
    const api = { signOutAll: vi.fn().mockResolvedValue({ ended: 3 }) } as unknown as ApiService;
    const { session, ws, db, store } = setup(snapshot(42_000), api);
    await session.restore();
    await session.signOutEverywhere();
    expect(api.signOutAll).toHaveBeenCalledOnce();
    expect(ws.disconnect).toHaveBeenCalled();
    expect(db.wipe).toHaveBeenCalled();
    expect(store.state.session.me).toBeNull();
  });

  it('stays signed in when the server could not sign out everywhere', async () => {
    const api = { signOutAll: vi.fn().mockRejectedValue(new Error('offline')) } as unknown as ApiService;
    const { session, store } = setup(snapshot(42_000), api);
    await session.restore();
    await expect(session.signOutEverywhere()).rejects.toThrow('offline');
    expect(store.state.session.me?.id).toBe(1);
  });
});
