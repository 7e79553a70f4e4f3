import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PeerStats } from '../../services/webrtc/call.service';
import { createAppStore } from '../../store';
import CallTile from './CallTile.vue';

/** The streams stay in CallService; a tile binds its device's stream to its <video> and follows changes. */
function fakeCalls() {
  const listeners = new Set<() => void>();
  const streams = new Map<string, MediaStream | null>();
  const quality = { rttMs: null, lossPct: null, bitrateKbps: null, relayed: null } as Partial<PeerStats>;
  return {
    quality,
    peerStats: vi.fn(async (connId: string) => ({ connId, ...quality }) as PeerStats),
    streams,
    localStream: null,
    streamOf: (connId: string) => streams.get(connId) ?? null,
    onStreams: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify: () => listeners.forEach((l) => l()),
    listeners,
  };
}

describe('CallTile', () => {
  it("puts the device's stream on its video, follows a new stream, and unsubscribes when removed", async () => {
    const calls = fakeCalls();
    const first = { getAudioTracks: () => [] } as unknown as MediaStream;
    calls.streams.set('bob1', first);
    const wrapper = mount(CallTile, {
      props: { connId: 'bob1', userId: 2, name: 'bob', hasVideo: true, showVideo: true, micOn: false },
      global: { plugins: [createAppStore()], provide: { calls }, stubs: { UserAvatar: true } },
    });
    const video = wrapper.find('video').element as HTMLVideoElement & { srcObject: unknown };
    expect(video.srcObject).toBe(first);
    const second = { getAudioTracks: () => [] } as unknown as MediaStream;
    calls.streams.set('bob1', second);
    calls.notify();
    expect(video.srcObject).toBe(second);
    expect(wrapper.get('[role="meter"]').attributes('aria-valuenow')).toBe('0');
    expect(wrapper.get('[aria-label="bob is muted"]')).toBeTruthy();
    wrapper.unmount();
    expect(calls.listeners.size).toBe(0);
  });

  it('shows the avatar instead of the video when videos are hidden', () => {
    const calls = fakeCalls();
    const wrapper = mount(CallTile, {
      props: { connId: 'bob1', userId: 2, name: 'bob', hasVideo: true, showVideo: false },
      global: { plugins: [createAppStore()], provide: { calls }, stubs: { UserAvatar: true } },
    });
    expect(wrapper.find('.avatar').exists()).toBe(true);
    expect(wrapper.find('video').isVisible()).toBe(false);
  });

  describe('connection quality', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('polls its peer every 2 s while shown, labels level, figures and relay, and stops when removed', async () => {
      vi.useFakeTimers();
      const calls = fakeCalls();
      Object.assign(calls.quality, { rttMs: 180, lossPct: 0.5, bitrateKbps: 900, relayed: true });
      const wrapper = mount(CallTile, {
        props: { connId: 'bob1', userId: 2, name: 'bob' },
        global: { plugins: [createAppStore()], provide: { calls }, stubs: { UserAvatar: true } },
      });
      await flushPromises();
      const signal = () => wrapper.get('[data-testid="call-quality"]');
      expect(calls.peerStats).toHaveBeenCalledWith('bob1');
      expect(signal().attributes('data-quality')).toBe('fair');
      expect(signal().attributes('aria-label')).toBe(
        'bob: Connection fair: round trip 180 ms, loss 0.5 %, 900 kbit/s, relayed (TURN)',
      );
      expect(signal().attributes('title')).toContain('relayed (TURN)');

      Object.assign(calls.quality, { rttMs: 40, lossPct: 9, relayed: false });
      await vi.advanceTimersByTimeAsync(1_999);
      expect(signal().attributes('data-quality')).toBe('fair');
      await vi.advanceTimersByTimeAsync(1);
      expect(signal().attributes('data-quality')).toBe('poor');
      expect(signal().attributes('aria-label')).toContain('direct');

      const polls = calls.peerStats.mock.calls.length;
      wrapper.unmount();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.peerStats).toHaveBeenCalledTimes(polls);
    });

    it('has no signal on my own preview and never reads stats for it', async () => {
      vi.useFakeTimers();
      const calls = fakeCalls();
      const wrapper = mount(CallTile, {
        props: { connId: null, userId: 1, name: 'You' },
        global: { plugins: [createAppStore()], provide: { calls }, stubs: { UserAvatar: true } },
      });
      await vi.advanceTimersByTimeAsync(5_000);
      expect(wrapper.find('[data-testid="call-quality"]').exists()).toBe(false);
      expect(calls.peerStats).not.toHaveBeenCalled();
    });
  });
});
