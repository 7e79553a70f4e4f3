import { describe, expect, it } from 'vitest';
import { insertLink, markerFor, quoteBlock, toggleLinePrefix, toggleMarker } from './markdown-shortcuts';

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

describe('quoteBlock', () => {
  it("quotes every line of the message behind its author, pychat's quote", () => {
    expect(quoteBlock('alice', 'first\nsecond')).toBe('> **alice**:\n> first\n> second');
    expect(quoteBlock('bob', '  ')).toBe('> **bob**:\n> (attachment)');
  });
});

describe('toggleLinePrefix', () => {
  it('prefixes every line the selection touches, and takes the prefix off when all have it', () => {
    const on = toggleLinePrefix('intro\none\ntwo\nend', 8, 12, '- ');
    expect(on).toEqual({ text: 'intro\n- one\n- two\nend', start: 6, end: 17 });
    expect(toggleLinePrefix(on.text, on.start, on.end, '- ').text).toBe('intro\none\ntwo\nend');
  });

  it('with only a cursor, quotes its line', () => {
    expect(toggleLinePrefix('a\nbc', 3, 3, '> ').text).toBe('a\n> bc');
  });
});

describe('insertLink', () => {
  it('makes the selection the link text and selects the url placeholder', () => {
    const edited = insertLink('see docs here', 4, 8);
    expect(edited.text).toBe('see [docs](url) here');
    expect(edited.text.slice(edited.start, edited.end)).toBe('url');
  });
});
