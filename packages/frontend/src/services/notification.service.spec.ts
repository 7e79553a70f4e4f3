import type { MessageDto } from '@pychat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import { NotificationService } from './notification.service';

const shown: { title: string; body?: string }[] = [];
let tones = 0;

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  onclick: (() => void) | null = null;
  constructor(title: string, options?: { body?: string }) {
    shown.push({ title, body: options?.body });
  }
}

class FakeAudioContext {
  currentTime = 0;
  destination = {};
  createGain() {
    return { gain: { setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() }, connect: vi.fn() };
  }
  createOscillator() {
    tones += 1;
    return { frequency: { value: 0 }, connect: vi.fn(), start: vi.fn(), stop: vi.fn() };
  }
}

function message(extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id: 1,
    roomId: 5,
    senderId: 2,
    content: 'hello there',
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
    ...extra,
  };
}

function setup(hidden: boolean, roomNotifications = true, isMain = true) {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('users/upsert', { id: 2, username: 'bob', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('rooms/setState', {
    roomId: 5,
    volume: 60,
    notifications: roomNotifications,
    unread: 0,
    lastMessageId: 0,
  });
  store.commit('rooms/setActive', 5);
  return { store, service: new NotificationService(store, { isMain }) };
}

describe('NotificationService', () => {
  beforeEach(() => {
    shown.length = 0;
    tones = 0;
    vi.stubGlobal('Notification', FakeNotification);
    vi.stubGlobal('AudioContext', FakeAudioContext);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('on do not disturb: no sound and no notification, not even for a mention; back to available, both again', () => {
    const { store, service } = setup(true);
    store.commit('session/setMe', {
      id: 1,
      username: 'me',
      sex: 'secret',
      thumbnail: null,
      lastSeenAt: null,
      status: 'dnd',
    });
    service.onMessage(message({ mentions: [1] }), 'team');
    expect(shown).toEqual([]);
    expect(tones).toBe(0);
    store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
    service.onMessage(message(), 'team');
    expect(shown).toHaveLength(1);
    expect(tones).toBe(2);
  });

  it('notifies with a sound and a browser notification when the tab is hidden', () => {
    const { service } = setup(true);
    service.onMessage(message(), 'team');
    expect(shown).toEqual([{ title: 'bob in team', body: 'hello there' }]);
    expect(tones).toBe(2);
  });

  it('stays quiet for the room I am looking at', () => {
    const { service } = setup(false);
    service.onMessage(message(), 'team');
    expect(shown).toHaveLength(0);
    expect(tones).toBe(0);
  });

  it('chimes but shows no notification for another room while the tab is visible', () => {
    const { service } = setup(false);
    service.onMessage(message({ roomId: 5 }), 'team');
    const other = setup(false);
    other.store.commit('rooms/setState', { roomId: 6, volume: 60, notifications: true, unread: 0, lastMessageId: 0 });
    other.service.onMessage(message({ roomId: 6 }), 'other');
    expect(shown).toHaveLength(0);
    expect(tones).toBe(2);
  });

  it('respects a muted room unless I am mentioned, and the user’s sound setting', () => {
    const { store, service } = setup(true, false);
    service.onMessage(message(), 'team');
    expect(shown).toHaveLength(0);
    service.onMessage(message({ mentions: [1] }), 'team');
    expect(shown).toHaveLength(1);
    store.commit('session/setSettings', { ...store.state.session.settings, messageSound: false });
    tones = 0;
    service.onMessage(message({ mentions: [1] }), 'team');
    expect(tones).toBe(0);
  });

  it('stays silent in a tab that is not the main one, so several open tabs ring once', () => {
    const main = setup(true, true, true);
    const other = setup(true, true, false);
    main.service.onMessage(message(), 'team');
    other.service.onMessage(message(), 'team');
    expect(shown).toEqual([{ title: 'bob in team', body: 'hello there' }]);
    expect(tones).toBe(2);
  });

  it('plays the online-change tones only with the setting on, in the main tab, not on DND, never for me', () => {
    const { store, service } = setup(false);
    service.onPresence([2], []);
    expect(tones).toBe(0);
    store.commit('session/setSettings', { ...store.state.session.settings, onlineChangeSound: true });
    service.onPresence([2], []);
    expect(tones).toBe(2);
    service.onPresence([], [2]);
    expect(tones).toBe(4);
    service.onPresence([1], []);
    expect(tones).toBe(4);
    const other = setup(false, true, false);
    other.store.commit('session/setSettings', { ...other.store.state.session.settings, onlineChangeSound: true });
    other.service.onPresence([2], []);
    expect(tones).toBe(4);
    store.commit('session/setMe', {
      id: 1,
      username: 'me',
      sex: 'secret',
      thumbnail: null,
      lastSeenAt: null,
      status: 'dnd',
    });
    service.onPresence([2], []);
    expect(tones).toBe(4);
    expect(shown).toHaveLength(0);
  });

  it('never notifies about my own messages', () => {
    const { service } = setup(true);
    service.onMessage(message({ senderId: 1 }), 'team');
    expect(shown).toHaveLength(0);
  });
});
