import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InstallService } from '../../services/install.service';
import { createAppStore } from '../../store';
import ChatWelcome, { welcomeKey } from './ChatWelcome.vue';

function mountWelcome(install = new InstallService(new EventTarget() as unknown as Window)) {
  const store = createAppStore();
  store.commit('session/setMe', { id: 7, username: 'newbie', sex: 'secret', thumbnail: null, lastSeenAt: null });
  return mount(ChatWelcome, {
    global: {
      plugins: [store],
      provide: { install },
      stubs: { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } },
    },
  });
}

/** What a browser that offers installing sends: the page keeps the event and prompts later. */
function installPrompt(outcome: 'accepted' | 'dismissed') {
  const event = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
    prompt: vi.fn().mockResolvedValue(undefined),
    userChoice: Promise.resolve({ outcome }),
  });
  return event;
}

describe('ChatWelcome', () => {
  beforeEach(() => localStorage.clear());

  it('tells a newcomer where to start: channels, direct messages, installing', () => {
    const wrapper = mountWelcome();
    expect(wrapper.text()).toContain('Welcome to Pychat, newbie!');
    expect(wrapper.find('a[href="/create/channel"]').exists()).toBe(true);
    expect(wrapper.find('a[href="/channels"]').exists()).toBe(true);
    expect(wrapper.find('a[href="/create/direct"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('Install the app');
  });

  it('stays dismissed for this user once dismissed', async () => {
    const wrapper = mountWelcome();
    await wrapper.get('button[aria-label="Dismiss the welcome"]').trigger('click');
    expect(wrapper.find('section').exists()).toBe(false);
    expect(localStorage.getItem(welcomeKey(7))).toBe('1');
    expect(mountWelcome().find('section').exists()).toBe(false);
  });

  it("offers the browser's install prompt when there is one, once", async () => {
    const target = new EventTarget();
    const install = new InstallService(target as unknown as Window);
    const wrapper = mountWelcome(install);
    expect(wrapper.find('button.link').exists()).toBe(false);

    const event = installPrompt('accepted');
    target.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    await flushPromises();
    await wrapper.get('button.link').trigger('click');
    await flushPromises();
    expect(event.prompt).toHaveBeenCalledTimes(1);
    expect(wrapper.find('button.link').exists()).toBe(false);
  });
});
