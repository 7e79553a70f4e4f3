import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import CallTile from './CallTile.vue';

/** The streams stay in CallService; a tile binds its device's stream to its <video> and follows changes. */
function fakeCalls() {
  const listeners = new Set<() => void>();
  const streams = new Map<string, MediaStream | null>();
  return {
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
});
