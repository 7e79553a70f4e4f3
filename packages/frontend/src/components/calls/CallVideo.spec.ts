import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../store';
import CallVideo from './CallVideo.vue';

describe('CallVideo', () => {
  it('shows my shared screen with `screen`, my camera without', () => {
    const camera = { id: 'camera' } as unknown as MediaStream;
    const screen = { id: 'screen' } as unknown as MediaStream;
    const calls = { localStream: camera, screenStream: screen, streamOf: () => null, onStreams: () => () => undefined };
    const mine = mount(CallVideo, {
      props: { connId: null, screen: true, muted: true },
      global: { plugins: [createAppStore()], provide: { calls } },
    });
    const preview = mount(CallVideo, {
      props: { connId: null, muted: true },
      global: { plugins: [createAppStore()], provide: { calls } },
    });
    expect((mine.find('video').element as HTMLVideoElement).srcObject).toBe(screen);
    expect((preview.find('video').element as HTMLVideoElement).srcObject).toBe(camera);
  });

  it('binds at mount and stops listening at unmount', () => {
    const listeners = new Set<() => void>();
    const calls = {
      localStream: null,
      screenStream: null,
      streamOf: () => ({ id: 'remote' }) as unknown as MediaStream,
      onStreams: (listener: () => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const tile = mount(CallVideo, {
      props: { connId: 'bob1' },
      global: { plugins: [createAppStore()], provide: { calls } },
    });
    expect((tile.find('video').element as HTMLVideoElement).srcObject).toEqual({ id: 'remote' });
    expect(listeners.size).toBe(1);
    tile.unmount();
    expect(listeners.size).toBe(0);
  });
});
