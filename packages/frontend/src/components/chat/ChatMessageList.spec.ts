import type { MessageDto } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ChatService } from '../../services/chat.service';
import { createAppStore } from '../../store';
import { dayKey } from '../../utils/time';
import ChatMessageList, { WINDOW_ROWS } from './ChatMessageList.vue';

// A spy on the per-row work: how many rows a change recomputes.
vi.mock('../../utils/time', async (original) => {
  const real = await original<typeof import('../../utils/time')>();
  return { ...real, dayKey: vi.fn(real.dayKey) };
});

const ME = 1;
const BOB = 2;
const ROOM = 6;

function msg(id: number, senderId = BOB): MessageDto {
  return {
    id,
    roomId: ROOM,
    senderId,
    content: `m${id}`,
    parentId: null,
    threadCount: 0,
    mentions: [],
    attachments: [],
    createdAt: 1000 + id,
    editedAt: null,
    deleted: false,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
  };
}

/** Room 6 with messages 1-`count` of bob's loaded; my pointer at `pointer`, `unread` as session.ready said. */
function mountList(pointer: number, unread: number, connection: 'online' | 'offline' = 'online', count = 5) {
  const store = createAppStore();
  store.commit('session/setMe', { id: ME, username: 'me', sex: 'secret', thumbnail: null, lastSeenAt: null });
  store.commit('session/setConnection', connection);
  store.commit('rooms/setAll', {
    rooms: [
      {
        id: ROOM,
        kind: 'room',
        name: 'r',
        channelId: 1,
        adminId: null,
        p2p: false,
        pinsAdminOnly: false,
        memberCount: 2,
        members: [
          { userId: ME, lastReadMessageId: pointer },
          { userId: BOB, lastReadMessageId: 5 },
        ],
      },
    ],
    states: [{ roomId: ROOM, volume: 80, notifications: true, unread, lastMessageId: 5 }],
    channels: [],
  });
  store.commit(
    'messages/upsert',
    Array.from({ length: count }, (_, i) => msg(i + 1)),
  );
  store.commit('messages/setLoaded', { roomId: ROOM, hasMore: false });
  // Reading moves the pointer to the newest, as the server would; offline it does nothing (no socket).
  const markRead = vi.fn(() => {
    if (store.state.session.connection === 'online') {
      store.commit('rooms/setReadPointer', { roomId: ROOM, userId: ME, messageId: 5 });
    }
    return Promise.resolve();
  });
  const markUnread = vi.fn((_roomId: number, messageId: number) => {
    store.commit('rooms/setReadPointer', { roomId: ROOM, userId: ME, messageId: messageId - 1, back: true });
    return Promise.resolve(messageId - 1);
  });
  const chat = { markRead, markUnread, loadOlder: vi.fn() } as unknown as ChatService;
  const wrapper = mount(ChatMessageList, {
    props: { roomId: ROOM },
    global: { plugins: [store], provide: { chat, notifications: { toast: vi.fn() } }, stubs: { ChatMessage: true } },
  });
  return { store, wrapper, markRead, markUnread };
}

describe('ChatMessageList unread divider', () => {
  it('puts "New messages" above the first message after my pointer at opening, and keeps it once read', async () => {
    const { wrapper, markRead, store } = mountList(3, 2);
    await flushPromises();
    expect(markRead).toHaveBeenCalled();
    expect(store.state.rooms.byId[ROOM]?.members[0]?.lastReadMessageId).toBe(5);
    const rows = wrapper.findAll('[data-testid="unread-divider"], chat-message-stub');
    const order = rows.map((r) => (r.attributes('data-testid') ? 'divider' : 'message'));
    expect(order).toEqual(['message', 'message', 'message', 'divider', 'message', 'message']);
    expect(wrapper.text()).toContain('New messages');
  });

  it("waits for the server's state after a reload: the cached one may not know what came since", async () => {
    const { wrapper, store } = mountList(3, 0, 'offline');
    await flushPromises();
    expect(wrapper.find('[data-testid="unread-divider"]').exists()).toBe(false);
    // session.ready: two unread, then the connection counts as online.
    store.commit('rooms/setState', { roomId: ROOM, volume: 80, notifications: true, unread: 2, lastMessageId: 5 });
    store.commit('session/setConnection', 'online');
    await flushPromises();
    expect(wrapper.find('[data-testid="unread-divider"]').exists()).toBe(true);
  });

  it('shows no line when nothing was unread', async () => {
    const { wrapper } = mountList(5, 0);
    await flushPromises();
    expect(wrapper.find('[data-testid="unread-divider"]').exists()).toBe(false);
  });

  it('"mark as unread" moves the line above that message and stops reading until the room is left', async () => {
    const { wrapper, markRead, markUnread } = mountList(5, 0);
    await flushPromises();
    markRead.mockClear();
    const second = wrapper.findAllComponents({ name: 'ChatMessage' })[1];
    second.vm.$emit('unread', msg(2));
    await flushPromises();
    expect(markUnread).toHaveBeenCalledWith(ROOM, 2);
    const order = wrapper
      .findAll('[data-testid="unread-divider"], chat-message-stub')
      .map((r) => (r.attributes('data-testid') ? 'divider' : 'message'));
    expect(order).toEqual(['message', 'divider', 'message', 'message', 'message', 'message']);
    window.dispatchEvent(new Event('focus'));
    await flushPromises();
    expect(markRead).not.toHaveBeenCalled();
  });
});

describe('ChatMessageList window', () => {
  const shownIds = (wrapper: ReturnType<typeof mountList>['wrapper']) =>
    wrapper
      .findAllComponents({ name: 'ChatMessage' })
      .map((c) => (c.props('item') as { message: MessageDto }).message.id);

  it('renders only the newest rows of a long history, not every loaded message', async () => {
    const { wrapper } = mountList(2000, 0, 'online', 2000);
    await flushPromises();
    const ids = shownIds(wrapper);
    expect(ids.length).toBeLessThanOrEqual(WINDOW_ROWS);
    expect(ids.at(-1)).toBe(2000);
    expect(ids[0]).toBe(2000 - ids.length + 1);
  });

  it('"Jump to first unread" brings the line into the DOM when it is far above the rendered rows', async () => {
    // jsdom has no layout: scrolling to the line is the browser's part.
    Element.prototype.scrollIntoView = vi.fn();
    const { wrapper } = mountList(100, 1900, 'offline', 2000);
    await flushPromises();
    wrapper.vm.$store.commit('session/setConnection', 'online');
    await flushPromises();
    expect(wrapper.find('[data-testid="unread-divider"]').exists()).toBe(false);
    await wrapper.get('button.jump-unread').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="unread-divider"]').exists()).toBe(true);
    expect(shownIds(wrapper)).toContain(101);
    expect(shownIds(wrapper).length).toBeLessThanOrEqual(WINDOW_ROWS);
  });

  it('keeps following new messages after a scroll near the top of a room whose whole history is loaded', async () => {
    // A short room scrolls near its top as it first overflows; that must not pin the window on the rows it had.
    const { wrapper, store } = mountList(5, 0);
    await flushPromises();
    await wrapper.get('.scroller').trigger('scroll');
    await flushPromises();
    store.commit('messages/upsert', [msg(6), msg(7)]);
    await flushPromises();
    expect(shownIds(wrapper).slice(-2)).toEqual([6, 7]);
  });

  it('works out the rows of the rendered window only when a message arrives, not of every loaded message', async () => {
    const { wrapper, store } = mountList(2000, 0, 'online', 2000);
    await flushPromises();
    vi.mocked(dayKey).mockClear();
    store.commit('messages/upsert', [msg(2001)]);
    await flushPromises();
    expect(shownIds(wrapper).at(-1)).toBe(2001);
    // One day key per rendered row (and the one above it), plus the markRead path; 2,000+ before.
    expect(vi.mocked(dayKey).mock.calls.length).toBeLessThanOrEqual(WINDOW_ROWS + 2);
  });

  it('groups the first rendered row with the message above the window, as if every row were rendered', async () => {
    const { wrapper } = mountList(2000, 0, 'online', 2000);
    await flushPromises();
    const first = wrapper.findAllComponents({ name: 'ChatMessage' })[0];
    // Same sender a second earlier, just above the window: no header and no day line.
    expect(first?.props('showHeader')).toBe(false);
    expect(wrapper.findAll('.day')).toHaveLength(0);
  });
});
