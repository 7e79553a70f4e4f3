import type { RoomDto } from '@pychat/protocol';
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../../store';
import { MEMBER_ROW_PX } from './RoomMemberList.vue';
import RoomMembersSection from './RoomMembersSection.vue';

// Every comparison of names made to order the list, whichever way it is made.
const compared = vi.hoisted(() => {
  const counter = { count: 0 };
  const Collator = Intl.Collator;
  Intl.Collator = function (...args: ConstructorParameters<typeof Intl.Collator>) {
    const collator = new Collator(...args);
    return {
      ...collator,
      resolvedOptions: () => collator.resolvedOptions(),
      compare: (a: string, b: string) => {
        counter.count++;
        return collator.compare(a, b);
      },
    };
  } as unknown as typeof Intl.Collator;
  const localeCompare = String.prototype.localeCompare;
  String.prototype.localeCompare = function (this: string, ...args: Parameters<string['localeCompare']>) {
    counter.count++;
    return localeCompare.apply(this, args);
  };
  return counter;
});

const MEMBERS = 5_000;
const name = (id: number) => `user${String(id).padStart(4, '0')}`;

/** A room of 5,000 (me is 1, its admin); `online` are online. */
function mountBigRoom(online: number[]) {
  const store = createAppStore();
  const me = { id: 1, username: name(1), sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
  store.commit('session/setMe', me);
  store.commit(
    'users/setAll',
    Array.from({ length: MEMBERS }, (_, i) => ({ ...me, id: i + 1, username: name(i + 1) })),
  );
  const room: RoomDto = {
    id: 31,
    kind: 'room',
    name: 'crowd',
    channelId: null,
    adminId: 1,
    p2p: false,
    pinsAdminOnly: false,
    memberCount: MEMBERS,
    // In no useful order: the list sorts them.
    members: Array.from({ length: MEMBERS }, (_, i) => ({ userId: ((i * 7919) % MEMBERS) + 1, lastReadMessageId: 0 })),
  };
  store.commit('rooms/setAll', { rooms: [room], states: [], channels: [] });
  store.commit('presence/setOnline', online);
  const wrapper = mount(RoomMembersSection, {
    props: { roomId: 31 },
    global: {
      plugins: [store],
      provide: { rooms: { loadMembers: vi.fn() }, notifications: { toast: vi.fn() }, presence: { show: vi.fn() } },
      stubs: { 'router-link': { template: '<a><slot /></a>' }, RoomMemberPicker: true },
    },
    attachTo: document.body,
  });
  return { store, wrapper };
}

const shownNames = (wrapper: ReturnType<typeof mountBigRoom>['wrapper']) =>
  wrapper.findAll('.member .member-name').map((e) => e.text());

afterEach(() => {
  document.body.innerHTML = '';
});

// jsdom on a loaded machine: mounting 5,000 members' store takes seconds.
describe('RoomMembersSection in a room of 5,000', { timeout: 60_000 }, () => {
  it('renders only the rows near the viewport, and the last ones once scrolled to the bottom', async () => {
    const { wrapper } = mountBigRoom([1, 4000]);
    const rows = wrapper.findAll('.member');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    // Online first, then by name; the box is as tall as all 5,000 rows, so the scroll bar is true.
    expect(shownNames(wrapper).slice(0, 3)).toEqual([name(1), name(4000), name(2)]);
    expect(rows[0]?.attributes('aria-setsize')).toBe(String(MEMBERS));
    const list = wrapper.find('ul');
    expect(list.attributes('style')).toContain(`height: ${MEMBERS * MEMBER_ROW_PX}px`);

    const viewport = wrapper.find('.members').element as HTMLElement;
    viewport.scrollTop = MEMBERS * MEMBER_ROW_PX - 320;
    await wrapper.find('.members').trigger('scroll');
    expect(wrapper.findAll('.member').length).toBeLessThan(100);
    expect(shownNames(wrapper).at(-1)).toBe(name(MEMBERS));
    expect(wrapper.findAll('.member').at(-1)?.attributes('aria-posinset')).toBe(String(MEMBERS));
  });

  it('moves a member who comes online to the top without sorting the 5,000 again', async () => {
    const { store, wrapper } = mountBigRoom([1]);
    expect(shownNames(wrapper).slice(0, 2)).toEqual([name(1), name(2)]);
    const before = compared.count;
    expect(before).toBeGreaterThan(0);

    store.commit('presence/change', { online: [4321], offline: [] });
    await wrapper.vm.$nextTick();
    expect(shownNames(wrapper).slice(0, 3)).toEqual([name(1), name(4321), name(2)]);
    store.commit('presence/change', { online: [], offline: [4321] });
    await wrapper.vm.$nextTick();
    expect(shownNames(wrapper).slice(0, 2)).toEqual([name(1), name(2)]);
    expect(compared.count).toBe(before);
  });
});
