import type { MessageDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../../store';
import ChatComposer from './ChatComposer.vue';
import ChatMessage from './ChatMessage.vue';

function message(extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id: 9,
    roomId: 6,
    senderId: 2,
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
    ...extra,
  };
}

function store(pinsAdminOnly = false, adminId: number | null = 3) {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('users/upsert', {
    id: 2,
    username: 'alice',
    sex: 'secret',
    thumbnail: null,
    lastSeenAt: null,
    status: 'dnd',
    statusText: 'focus time',
  });
  store.commit('rooms/setAll', {
    rooms: [
      {
        id: 6,
        kind: 'room',
        name: 'r6',
        channelId: 7,
        adminId,
        p2p: false,
        pinsAdminOnly,
        memberCount: 0,
        members: [],
      },
    ],
    states: [],
    channels: [{ id: 7, name: 'c', adminId: 4, mainRoomId: 5, isPublic: false, topic: '' }],
  });
  return store;
}

function mountMessage(m: MessageDto, s = store()) {
  return mount(ChatMessage, {
    props: { item: { kind: 'message', message: m } },
    global: {
      plugins: [s],
      stubs: { 'router-link': { template: '<a><slot /></a>' } },
      provide: { chat: {}, notifications: { toast: vi.fn() } },
    },
  });
}

describe('inline replies, quotes, status and pin permission in the chat', () => {
  it("a reply shows the original's author and excerpt and asks to jump to it; a deleted original says so", async () => {
    const live = mountMessage(message({ replyTo: { id: 4, senderId: 2, excerpt: 'the plan' } }));
    const excerpt = live.get('[data-testid="reply-to"]');
    expect(excerpt.text()).toContain('alice');
    expect(excerpt.text()).toContain('the plan');
    await excerpt.trigger('click');
    expect(live.emitted('jump')).toEqual([[4]]);

    const gone = mountMessage(message({ replyTo: { id: 4, senderId: 2, excerpt: null } }));
    expect(gone.get('[data-testid="reply-to"]').text()).toContain('message deleted');
    expect(mountMessage(message()).find('[data-testid="reply-to"]').exists()).toBe(false);
  });

  it("the author's status shows beside the name, its text on hover", () => {
    const badge = mountMessage(message()).get('[data-testid="user-status"]');
    expect(badge.text()).toBe('DND');
    expect(badge.attributes('title')).toBe('Do not disturb: focus time');
  });

  it('with pinsAdminOnly a member sees no pin action; the room admin and anyone in an open room do', () => {
    const pinButton = (s: ReturnType<typeof store>) =>
      mountMessage(message(), s)
        .findAll('.tools button')
        .some((b) => b.attributes('aria-label') === 'Pin message');
    expect(pinButton(store(true, 3))).toBe(false);
    expect(pinButton(store(true, 1))).toBe(true);
    expect(pinButton(store(false, 3))).toBe(true);
  });

  it('the composer sends a reply with replyToId, quotes as a blockquote with the author, and drops the reply after', async () => {
    const send = vi.fn().mockResolvedValue(undefined);
    const wrapper = mount(ChatComposer, {
      props: { roomId: 6, replyingTo: message({ content: 'original text' }) },
      global: {
        plugins: [store()],
        provide: {
          chat: { send, saveDraft: vi.fn().mockResolvedValue(undefined), typing: vi.fn() },
          rooms: { loadMembers: vi.fn().mockResolvedValue(undefined) },
          notifications: { toast: vi.fn() },
          api: { features: vi.fn().mockResolvedValue({ gifs: false }) },
          presence: { show: vi.fn() },
        },
      },
    });
    expect(wrapper.get('[data-testid="replying-to"]').text()).toContain('alice');
    (wrapper.vm as unknown as { insertQuote(m: MessageDto): void }).insertQuote(message({ content: 'a\nb' }));
    await flushPromises();
    const textarea = wrapper.get('textarea');
    expect((textarea.element as HTMLTextAreaElement).value).toBe('> **alice**:\n> a\n> b\n\n');
    await textarea.setValue('agreed');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(send).toHaveBeenCalledWith(6, 'agreed', expect.objectContaining({ replyToId: 9 }));
    expect(wrapper.emitted('cancel-reply')).toHaveLength(1);
  });
});

describe('the composer toolbar on a selection', () => {
  it('shows only while text is selected and formats it with the same markers as the shortcuts', async () => {
    const wrapper = mount(ChatComposer, {
      props: { roomId: 6 },
      global: {
        plugins: [store()],
        provide: {
          chat: { send: vi.fn(), saveDraft: vi.fn().mockResolvedValue(undefined), typing: vi.fn() },
          rooms: { loadMembers: vi.fn().mockResolvedValue(undefined) },
          notifications: { toast: vi.fn() },
          api: { features: vi.fn().mockResolvedValue({ gifs: false }) },
          presence: { show: vi.fn() },
        },
      },
      attachTo: document.body,
    });
    const textarea = wrapper.get('textarea');
    const el = textarea.element as HTMLTextAreaElement;
    await textarea.setValue('make this loud\nand this a list');
    el.setSelectionRange(10, 14);
    await textarea.trigger('select');
    expect(wrapper.find('[role="toolbar"][aria-label="Format the selection"]').exists()).toBe(true);
    await wrapper.get('button[aria-label="Bold"]').trigger('click');
    expect(el.value).toBe('make this **loud**\nand this a list');
    el.setSelectionRange(20, 22);
    await wrapper.get('button[aria-label="List"]').trigger('click');
    expect(el.value).toBe('make this **loud**\n- and this a list');
    el.setSelectionRange(0, 0);
    await textarea.trigger('select');
    expect(wrapper.find('[aria-label="Format the selection"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
