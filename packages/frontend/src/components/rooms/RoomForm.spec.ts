import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RoomsService } from '../../services/rooms.service';
import { WsRequestError } from '../../services/ws.service';
import { createAppStore } from '../../store';
import RoomAdminField from './RoomAdminField.vue';
import RoomNameField from './RoomNameField.vue';
import RoomPrefsSection from './RoomPrefsSection.vue';

const user = (id: number, username: string) => ({
  id,
  username,
  sex: 'secret' as const,
  thumbnail: null,
  lastSeenAt: null,
});

describe('shared room form pieces', () => {
  it('RoomNameField counts characters until it has a hint or an error, and marks an error invalid', async () => {
    const wrapper = mount(RoomNameField, { props: { id: 'n', label: 'Name', modelValue: ' ops ' } });
    expect(wrapper.find('#n-hint').text()).toMatch(/^3\/\d+ characters$/);
    await wrapper.setProps({ error: 'A room needs a name.' });
    expect(wrapper.find('#n-hint').text()).toBe('A room needs a name.');
    expect(wrapper.find('input').attributes('aria-invalid')).toBe('true');
    await wrapper.find('input').setValue('dev');
    expect(wrapper.emitted('update:modelValue')).toEqual([['dev']]);
  });

  it('RoomAdminField offers the members when I may hand the role over, else only names the admin', async () => {
    const members = [user(1, 'me'), user(2, 'bob')];
    const props = { id: 'a', modelValue: 1, adminId: 1, adminName: 'me', members, meId: 1, hint: 'h' };
    const wrapper = mount(RoomAdminField, { props: { ...props, canChange: true } });
    expect(wrapper.findAll('option').map((o) => o.text())).toEqual(['me (you)', 'bob']);
    await wrapper.find('select').setValue('2');
    expect(wrapper.emitted('update:modelValue')).toEqual([[2]]);
    await wrapper.setProps({ canChange: false });
    expect(wrapper.find('select').exists()).toBe(false);
    expect(wrapper.text()).toBe('Admin: me');
  });

  it('RoomPrefsSection saves through the rooms service and shows a refusal', async () => {
    const store = createAppStore();
    store.commit('rooms/setState', { roomId: 4, volume: 50, notifications: true, unread: 0, lastMessageId: 0 });
    const updateSettings = vi
      .fn()
      .mockResolvedValueOnce(undefined)
      .mockRejectedValueOnce(new WsRequestError({ code: 'ROOM_NOT_FOUND', message: 'No such room' }));
    const rooms = { updateSettings } as unknown as RoomsService;
    const wrapper = mount(RoomPrefsSection, {
      props: { roomId: 4, description: 'd', missingText: 'm' },
      global: { plugins: [store], provide: { rooms } },
    });
    await wrapper.find('[role="switch"]').trigger('click');
    expect(updateSettings).toHaveBeenLastCalledWith({ roomId: 4, notifications: false });
    await flushPromises();
    await wrapper.find('[role="switch"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe('No such room');
  });
});
