import type { MessageDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import ChatMessage from './ChatMessage.vue';

const ID = 'dQw4w9WgXcQ';

function message(content: string): MessageDto {
  return {
    id: 9,
    roomId: 6,
    senderId: 1,
    content,
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
}

/** The card is a lazy chunk (lazy-parts.ts): rendered once it has loaded. */
async function loaded(): Promise<void> {
  await import('./ChatYoutube.vue');
  await flushPromises();
}

function render(content: string, embeddedYoutube: boolean) {
  const store = createAppStore();
  store.commit('session/setMe', { id: 1, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.state.session.settings.embeddedYoutube = embeddedYoutube;
  return mount(ChatMessage, {
    props: { item: { kind: 'message', message: message(content) } },
    global: { plugins: [store], stubs: { 'router-link': true } },
  });
}

describe('YouTube cards in a message', () => {
  it('shows a thumbnail card and loads the youtube-nocookie player only after a click', async () => {
    const wrapper = render(`watch https://youtu.be/${ID}?t=42`, true);
    await loaded();
    expect(wrapper.find('iframe').exists()).toBe(false);
    expect(wrapper.find('.youtube img').attributes('src')).toBe(`https://i.ytimg.com/vi/${ID}/hqdefault.jpg`);
    await wrapper.find('.youtube button').trigger('click');
    const frame = wrapper.find('.youtube iframe');
    expect(frame.attributes('src')).toBe(`https://www.youtube-nocookie.com/embed/${ID}?autoplay=1&start=42`);
  });

  it('shows no card when the user turned embedded YouTube off, nor for a look-alike host', async () => {
    const off = render(`https://youtu.be/${ID}`, false);
    const lookAlike = render(`https://youtube.com.evil.example/watch?v=${ID}`, true);
    await loaded();
    expect(off.find('.youtube').exists()).toBe(false);
    expect(lookAlike.find('.youtube').exists()).toBe(false);
  });
});
