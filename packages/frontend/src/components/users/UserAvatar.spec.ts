import type { UserDto } from '@pychat/protocol';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import UserAvatar from './UserAvatar.vue';

const alice = (thumbnail: string | null): UserDto => ({
  id: 7,
  username: 'alice',
  sex: 'secret',
  thumbnail,
  lastSeenAt: null,
});

function mountWith(user: UserDto) {
  const store = createAppStore();
  store.commit('users/upsert', user);
  return { store, wrapper: mount(UserAvatar, { props: { userId: 7 }, global: { plugins: [store] } }) };
}

describe('UserAvatar', () => {
  it('shows the thumbnail when the user has one, and the new one after user.updated', async () => {
    const { store, wrapper } = mountWith(alice('/api/users/7/avatar/aaa'));

    expect(wrapper.get('img.picture').attributes('src')).toBe('/api/users/7/avatar/aaa');
    expect(wrapper.find('.initial').exists()).toBe(false);
    store.commit('users/upsert', alice('/api/users/7/avatar/bbb'));
    await wrapper.vm.$nextTick();
    expect(wrapper.get('img.picture').attributes('src')).toBe('/api/users/7/avatar/bbb');
  });

  it('shows the coloured initial without a thumbnail, and when the picture fails to load', async () => {
    const { wrapper } = mountWith(alice(null));

    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('.initial').text()).toBe('A');

    const broken = mountWith(alice('/api/users/7/avatar/gone')).wrapper;
    await broken.get('img.picture').trigger('error');
    expect(broken.find('img').exists()).toBe(false);
    expect(broken.get('.initial').text()).toBe('A');
  });
});
