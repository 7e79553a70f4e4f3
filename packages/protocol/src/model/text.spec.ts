import { describe, expect, it } from 'vitest';
import { clientRequests } from '../index';
import { DisplayName, Emoji, toWellFormed } from './text';

describe('free text', () => {
  it('replaces lone surrogates with U+FFFD and keeps pairs (what a UTF-8 database stores)', () => {
    expect(toWellFormed('a\uD800b\uDC00c😀')).toBe('a\uFFFDb\uFFFDc😀');
    expect(toWellFormed('end\uD83D')).toBe('end\uFFFD');
  });

  it('normalises message content, local ids and search queries at the edge', () => {
    const send = clientRequests['message.send'].request.parse({ roomId: 1, content: 'hi \uD800', localId: 'l\uDFFF' });
    expect(send.content).toBe('hi \uFFFD');
    expect(send.localId).toBe('l\uFFFD');
    const edit = clientRequests['message.edit'].request.parse({ messageId: 1, content: '\uDC00x' });
    expect(edit.content).toBe('\uFFFDx');
    const search = clientRequests['message.search'].request.parse({ roomId: 1, query: 'q\uD800' });
    expect(search.query).toBe('q\uFFFD');
  });
});

describe('room and channel names', () => {
  const create = clientRequests['channel.create'].request;
  const messages = (name: string) => {
    const parsed = DisplayName.safeParse(name);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  };

  it.each([
    ['zero-width space only', '\u200B'],
    ['zero-width joiners and BOM', '\u200D\u200C\uFEFF'],
    ['Hangul filler', '\u3164'],
    ['blank Braille pattern', '\u2800\u2800'],
    ['word joiner and no-break space', '\u2060\u00A0'],
    ['soft hyphen', '\u00AD'],
  ])('refuses an invisible name (%s)', (_, name) => {
    expect(messages(name)).toContain('Name: needs at least one visible character');
    expect(create.safeParse({ name, userIds: [] }).success).toBe(false);
  });

  it.each([
    ['NUL only', '\u0000'],
    ['NUL inside', 'a\u0000b'],
    ['a line break', 'two\nlines'],
  ])('refuses control characters (%s)', (_, name) => {
    expect(messages(name)).toContain('Name: no control characters');
  });

  it('refuses white space only', () => {
    expect(messages(' \t ').length).toBeGreaterThan(0);
    expect(create.safeParse({ name: '   ', userIds: [] }).success).toBe(false);
  });

  it.each(['202A', '202B', '202C', '202D', '202E', '2066', '2067', '2068', '2069'])(
    'refuses bidi embedding, override and isolate characters (U+%s) in every name field',
    (code) => {
      const name = `gpj.${String.fromCharCode(parseInt(code, 16))}exe`;
      expect(messages(name)).toContain('Name: no bidirectional override characters (U+202A–U+202E, U+2066–U+2069)');
      expect(clientRequests['room.create'].request.safeParse({ channelId: 1, name, userIds: [] }).success).toBe(false);
      expect(clientRequests['room.update'].request.safeParse({ roomId: 1, name }).success).toBe(false);
      expect(create.safeParse({ name, userIds: [] }).success).toBe(false);
      expect(clientRequests['channel.update'].request.safeParse({ channelId: 1, name }).success).toBe(false);
    },
  );

  it('accepts names in any script, with emoji, right-to-left letters and inner spaces; trims the ends', () => {
    expect(DisplayName.parse('  général ')).toBe('général');
    expect(DisplayName.parse('עברית')).toBe('עברית');
    expect(DisplayName.parse('مرحبا بكم')).toBe('مرحبا بكم');
    expect(DisplayName.parse('日本語 🎉')).toBe('日本語 🎉');
    expect(DisplayName.parse('a\u200Db')).toBe('a\u200Db');
    expect(DisplayName.parse('x\uD800')).toBe('x\uFFFD');
  });
});

describe('Emoji', () => {
  it.each(['👍', '❤️', '☺', '✅', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'])('accepts %s', (emoji) => {
    expect(Emoji.safeParse(emoji).success).toBe(true);
  });

  it.each(['', 'a', '1', '#', '<b>', '👍 ok', 'ok👍', '👍'.repeat(17)])('refuses %j', (text) => {
    expect(Emoji.safeParse(text).success).toBe(false);
  });
});
