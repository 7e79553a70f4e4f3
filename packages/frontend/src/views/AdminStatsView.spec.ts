import type { AdminStatsResponse } from '@pychat/protocol';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiService } from '../services/api.service';
import { createAppStore } from '../store';
import AdminStatsView from './AdminStatsView.vue';

const STATS: AdminStatsResponse = {
  fromDay: 100,
  toDay: 106,
  signups: [
    { day: 101, count: 2 },
    { day: 106, count: 1 },
  ],
  activeUsers: [{ day: 106, count: 4 }],
  messages: [{ day: 105, count: 12 }],
  countries: [
    { countryCode: 'GB', country: 'United Kingdom', users: 3 },
    { countryCode: 'DE', country: 'Germany', users: 1 },
  ],
  onlineNow: 2,
  totalUsers: 9,
};

function mountWith(adminStats: ReturnType<typeof vi.fn>) {
  return mount(AdminStatsView, {
    global: {
      plugins: [createAppStore()],
      provide: { api: { adminStats } as unknown as ApiService },
      stubs: { AppBackLink: true },
    },
  });
}

describe('AdminStatsView', () => {
  it('shows the numbers, a column per day and the countries as bars', async () => {
    const adminStats = vi.fn().mockResolvedValue(STATS);
    const wrapper = mountWith(adminStats);
    await flushPromises();
    expect(adminStats).toHaveBeenCalledWith(30);
    expect(wrapper.get('[data-stat="online"]').text()).toBe('2');
    expect(wrapper.get('[data-stat="signups"]').text()).toBe('3');
    expect(wrapper.get('[data-stat="messages"]').text()).toBe('12');
    // Seven days, zeros included, in each of the three day charts.
    expect(wrapper.findAll('rect.column')).toHaveLength(21);
    expect(wrapper.findAll('.bar-row').map((row) => row.text())).toEqual([
      expect.stringContaining('United Kingdom'),
      expect.stringContaining('Germany'),
    ]);

    await wrapper.findAll('.range-btn')[0].trigger('click');
    expect(adminStats).toHaveBeenLastCalledWith(7);
  });

  it('tells anyone but the site admin that the page is not for them', async () => {
    const adminStats = vi.fn().mockRejectedValue(new ApiError(403, { code: 'FORBIDDEN', message: 'no' }));
    const wrapper = mountWith(adminStats);
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('Only a site admin');
    expect(wrapper.find('rect.column').exists()).toBe(false);
  });
});
