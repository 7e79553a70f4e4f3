import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CallControl from './CallControl.vue';
import CallPanel from './CallPanel.vue';
import { createAppStore } from '../../store';

describe('CallControl', () => {
  it('names itself for screen readers and as a tooltip, and says pressed only when it is a toggle', () => {
    const toggle = mount(CallControl, { props: { label: 'Mute microphone', pressed: false } });
    const button = toggle.get('button');
    expect(button.attributes('aria-label')).toBe('Mute microphone');
    expect(button.attributes('title')).toBe('Mute microphone');
    expect(button.attributes('aria-pressed')).toBe('false');
    expect(button.attributes('type')).toBe('button');

    const action = mount(CallControl, { props: { label: 'Hang up', title: 'Leave the call', tone: 'danger' } });
    expect(action.get('button').attributes('aria-pressed')).toBeUndefined();
    expect(action.get('button').attributes('title')).toBe('Leave the call');
    expect(action.get('button').classes()).toContain('danger');
  });

  it('emits click once per press, and none while disabled', async () => {
    const control = mount(CallControl, { props: { label: 'Share the screen' } });
    await control.get('button').trigger('click');
    expect(control.emitted('click')).toHaveLength(1);
    await control.setProps({ disabled: true });
    await control.get('button').trigger('click');
    expect(control.emitted('click')).toHaveLength(1);
  });
});

describe('CallPanel controls', () => {
  function panel(active: Record<string, unknown>) {
    const store = createAppStore();
    store.state.calls.active = {
      roomId: 1,
      micOn: true,
      camOn: true,
      hasCamera: true,
      screen: null,
      ...active,
    } as never;
    const calls = {
      toggleMic: () => undefined,
      localStream: null,
      screenStream: null,
      streamOf: () => null,
      onStreams: () => () => undefined,
    };
    return mount(CallPanel, {
      global: {
        plugins: [store],
        provide: { calls, notifications: { toast: () => undefined } },
        stubs: { CallTile: true, CallDevices: true },
      },
    });
  }

  it('keeps the labels the e2e specs use, switching with the state, and shows what is off', () => {
    const on = panel({});
    const labels = (w: ReturnType<typeof panel>) => w.findAll('button').map((b) => b.attributes('aria-label'));
    expect(labels(on)).toEqual([
      'Mute microphone',
      'Turn camera off',
      'Share the screen',
      'Share painter',
      'Hide videos',
      'Full screen',
      'Hang up',
    ]);
    const off = panel({ micOn: false, camOn: false, screen: 'display' });
    expect(labels(off).slice(0, 3)).toEqual(['Unmute microphone', 'Turn camera on', 'Stop sharing the screen']);
    const [mic, cam, screen] = off.findAll('button');
    expect(mic.classes()).toContain('off');
    expect(mic.attributes('aria-pressed')).toBe('true');
    expect(cam.classes()).toContain('off');
    expect(screen.classes()).toContain('on');
    expect(off.findAll('button')[6].classes()).toContain('danger');
  });
});
