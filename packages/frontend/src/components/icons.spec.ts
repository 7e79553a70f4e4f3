import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageDto } from '@pychat/protocol';
import { mount, type VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../store';
import ChatView from '../views/ChatView.vue';
import ChatMessage from './chat/ChatMessage.vue';

/** Emoji and the symbol characters that were used as icons: a desktop without an emoji font shows empty boxes. */
const ICON_CHARACTERS = /[\p{Extended_Pictographic}☰⚙➤×←↓]/u;

function vueFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? vueFiles(path) : entry.name.endsWith('.vue') ? [path] : [];
  });
}

function store() {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('rooms/setAll', {
    rooms: [{ id: 6, kind: 'room', name: 'r6', channelId: 1, adminId: null, p2p: false, memberCount: 0, members: [] }],
    states: [],
    channels: [],
  });
  return store;
}

/** Every button is drawn with an SVG, says what it does to a screen reader, and shows no text of its own. */
function expectIconButtons(buttons: VueWrapper['element'][], names: string[]): void {
  expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(names);
  for (const button of buttons) {
    expect(button.querySelector('svg')).not.toBeNull();
    expect(button.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true');
    expect(button.textContent?.trim()).toBe('');
  }
}

describe('icons', () => {
  it('no template uses an emoji or symbol character as an icon', () => {
    const offenders = vueFiles(join(__dirname, '..'))
      .map((file) => ({ file, template: /<template>[\s\S]*<\/template>/.exec(readFileSync(file, 'utf8'))?.[0] ?? '' }))
      .filter(({ template }) => ICON_CHARACTERS.test(template))
      .map(({ file, template }) => `${file}: ${ICON_CHARACTERS.exec(template)?.[0]}`);
    expect(offenders).toEqual([]);
  });

  it("a message's actions are SVG icon buttons with accessible names", () => {
    const message: MessageDto = {
      id: 9,
      roomId: 6,
      senderId: 1,
      content: 'hello',
      parentId: null,
      threadCount: 0,
      mentions: [],
      attachments: [],
      createdAt: 0,
      editedAt: null,
      deleted: false,
      reactions: [],
      pinnedAt: null,
      pinnedBy: null,
    };
    const wrapper = mount(ChatMessage, {
      props: { item: { kind: 'message', message } },
      global: { plugins: [store()], stubs: { 'router-link': true } },
    });
    expectIconButtons(
      wrapper.findAll('.tools button').map((b) => b.element),
      [
        'Add reaction',
        'Reply',
        'Reply in thread',
        'Quote message',
        'Pin message',
        'Mark as unread from here',
        'Edit message',
        'Delete message',
      ],
    );
  });

  it("the chat header's menu, search and settings are SVG icons with accessible names", () => {
    const wrapper = mount(ChatView, {
      global: {
        plugins: [store()],
        provide: {
          chat: { loadNewest: vi.fn().mockResolvedValue(undefined) },
          rooms: { loadMembers: vi.fn().mockResolvedValue(undefined), setActive: vi.fn() },
          notifications: { toast: vi.fn() },
        },
        mocks: { $route: { params: { roomId: '6' }, query: {} }, $router: { push: vi.fn() } },
        stubs: {
          'router-link': { template: '<a><slot /></a>' },
          RoomSidebar: true,
          ChatMessageList: true,
          ChatComposer: true,
          ChatTyping: true,
        },
      },
    });
    expectIconButtons(
      wrapper.findAll('.topbar button, .topbar a:not(.add-people)').map((b) => b.element),
      [
        'Show rooms',
        'Start audio call',
        'Start video call',
        'Call devices',
        'Pinned messages',
        'Search messages',
        'Room settings',
      ],
    );
    // "Add people" is labelled in words on a desktop, its icon only on a phone.
    const addPeople = wrapper.find('.topbar a.add-people').element;
    expect(addPeople.getAttribute('aria-label')).toBe('Add people');
    expect(addPeople.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true');
  });
});
