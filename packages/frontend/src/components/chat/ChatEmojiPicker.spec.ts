import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadEmojiGroups } from '../../utils/emoji';
import ChatEmojiPicker from './ChatEmojiPicker.vue';

async function open() {
  const wrapper = mount(ChatEmojiPicker, { attachTo: document.body });
  await loadEmojiGroups();
  await flushPromises();
  return wrapper;
}

const cells = (wrapper: Awaited<ReturnType<typeof open>>) => wrapper.findAll('.grid .cell').map((c) => c.text());

describe('ChatEmojiPicker', () => {
  beforeEach(() => localStorage.clear());

  it('shows the categories as tabs and a whole category at once', async () => {
    const wrapper = await open();
    const tabs = wrapper.findAll('[role="tab"]').map((t) => t.attributes('title'));
    expect(tabs).toHaveLength(9);
    expect(tabs[8]).toBe('Flags');
    await wrapper.findAll('[role="tab"]')[8]!.trigger('click');
    expect(cells(wrapper)).toContain('🇫🇷');
    expect(cells(wrapper).length).toBeGreaterThan(250);
  });

  it('searches, applies the chosen skin tone, remembers both, and offers the pick as recently used', async () => {
    const wrapper = await open();
    await wrapper.find('input[type="search"]').setValue('thumbs');
    expect(cells(wrapper).slice(0, 2)).toEqual(['👍', '👎']);
    await wrapper.find('[aria-label="Medium skin tone"]').trigger('click');
    expect(cells(wrapper).slice(0, 2)).toEqual(['👍🏽', '👎🏽']);
    await wrapper.find('[aria-label="Insert thumbs up"]').trigger('click');
    expect(wrapper.emitted('pick')).toEqual([['👍🏽']]);
    wrapper.unmount();

    const again = await open();
    expect(again.find('[aria-label="Medium skin tone"]').attributes('aria-checked')).toBe('true');
    const selected = again.find('[role="tab"][aria-selected="true"]');
    expect(selected.attributes('title')).toBe('Recently used');
    expect(cells(again)).toEqual(['👍🏽']);
  });

  it('inserts the first result on Enter and says when nothing matches', async () => {
    const wrapper = await open();
    await wrapper.find('input[type="search"]').setValue('zzzz');
    expect(wrapper.text()).toContain('No emoji found');
    await wrapper.find('input[type="search"]').setValue('pizza');
    await wrapper.find('input[type="search"]').trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('pick')).toEqual([['🍕']]);
  });
});
