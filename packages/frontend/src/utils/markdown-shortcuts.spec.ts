import { describe, expect, it } from 'vitest';
import { markerFor, toggleMarker } from './markdown-shortcuts';

describe('toggleMarker', () => {
  it('wraps the selection and keeps it selected', () => {
    expect(toggleMarker('say hello now', 4, 9, '**')).toEqual({ text: 'say **hello** now', start: 6, end: 11 });
  });

  it('unwraps a selection that is already wrapped, inside or including the markers', () => {
    expect(toggleMarker('say **hello** now', 6, 11, '**')).toEqual({ text: 'say hello now', start: 4, end: 9 });
    expect(toggleMarker('say _hi_ now', 4, 8, '_')).toEqual({ text: 'say hi now', start: 4, end: 6 });
  });

  it('puts the cursor between an empty pair when nothing is selected', () => {
    expect(toggleMarker('ab', 1, 1, '_')).toEqual({ text: 'a__b', start: 2, end: 2 });
  });
});

describe('markerFor', () => {
  const key = (k: string, extra: Partial<KeyboardEvent> = {}) => ({
    key: k,
    ctrlKey: true,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...extra,
  });

  it('maps Ctrl/⌘+B, Ctrl+I, Ctrl+Shift+X and Ctrl+E', () => {
    expect(markerFor(key('b'))).toBe('**');
    expect(markerFor(key('B', { ctrlKey: false, metaKey: true }))).toBe('**');
    expect(markerFor(key('i'))).toBe('_');
    expect(markerFor(key('X', { shiftKey: true }))).toBe('~~');
    expect(markerFor(key('e'))).toBe('`');
  });

  it('ignores plain keys and other shortcuts', () => {
    expect(markerFor(key('b', { ctrlKey: false }))).toBeNull();
    expect(markerFor(key('c'))).toBeNull();
    expect(markerFor(key('b', { altKey: true }))).toBeNull();
  });
});
