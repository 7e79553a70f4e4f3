// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- a spec, never bundled: every emoji offered must pass the server's schema
import { Emoji } from '@pychat/protocol';
import data from 'emojibase-data/en/compact.json';
import versions from 'emojibase-data/versions/emoji.json';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type CompactEmoji,
  buildGroups,
  drawnByFont,
  newerThanFont,
  readRecent,
  readSkinTone,
  rememberRecent,
  RECENT_MAX,
  saveSkinTone,
  searchEmoji,
  withTone,
  wrapEmoji,
} from './emoji';

const groups = buildGroups(data as CompactEmoji[], newerThanFont(versions as Record<string, string[]>));
const all = groups.flatMap((g) => g.emoji);

describe('emoji catalogue', () => {
  it('holds the full Unicode set in nine categories, without the bare skin-tone components', () => {
    expect(groups.map((g) => g.name)).toEqual([
      'Smileys & emotion',
      'People & body',
      'Animals & nature',
      'Food & drink',
      'Travel & places',
      'Activities',
      'Objects',
      'Symbols',
      'Flags',
    ]);
    expect(all.length).toBeGreaterThan(1800);
    expect(all.map((e) => e.emoji)).toContain('🫠');
    expect(all.map((e) => e.emoji)).not.toContain('🏽');
    expect(groups[0]?.emoji[0]?.emoji).toBe('😀');
  });

  it('offers only what the bundled font (Twemoji 15) draws', () => {
    const offered = all.map((e) => e.emoji);
    // 🫠 is Emoji 14, 🫨 15.0: drawn. 🫩 (16.0) and 🍄‍🟫 (15.1) are not in the font.
    expect(offered).toEqual(expect.arrayContaining(['🫠', '🫨']));
    expect(offered).not.toContain('🫩');
    expect(offered).not.toContain('🍄‍🟫');
    expect(drawnByFont('1️⃣')).toBe(false);
    expect(drawnByFont('👍🏽')).toBe(true);
  });

  it('builds each emoji from its code points, as the server accepts it and other clients send it', () => {
    const thumbs = all.find((e) => e.label === 'thumbs up');
    expect(thumbs?.emoji).toBe('\u{1F44D}');
    expect(all.find((e) => e.label === 'red heart')?.emoji).toBe('\u2764\uFE0F');
    for (const entry of all) {
      expect(Emoji.safeParse(entry.emoji).success, entry.label).toBe(true);
    }
  });

  it('gives the chosen skin tone where the emoji has one and the plain emoji otherwise', () => {
    const thumbs = all.find((e) => e.label === 'thumbs up')!;
    expect(withTone(thumbs, 0)).toBe('👍');
    expect(withTone(thumbs, 1)).toBe('👍🏻');
    expect(withTone(thumbs, 4)).toBe('👍🏾');
    expect(Emoji.safeParse(withTone(thumbs, 4)).success).toBe(true);
    const handshake = all.find((e) => e.label === 'handshake')!;
    expect(withTone(handshake, 5)).toBe('🤝🏿');
    const cat = all.find((e) => e.label === 'cat face')!;
    expect(withTone(cat, 4)).toBe('🐱');
  });
});

describe('emoji search', () => {
  it('finds by the start of words of the name, name matches first', () => {
    const found = searchEmoji(groups, 'thumbs').map((e) => e.emoji);
    expect(found.slice(0, 2)).toEqual(['👍', '👎']);
    expect(searchEmoji(groups, 'cat face').map((e) => e.emoji)).toContain('🐱');
    expect(searchEmoji(groups, 'humbs')).toEqual([]);
  });

  it('finds by keywords too', () => {
    expect(searchEmoji(groups, '+1').map((e) => e.emoji)).toContain('👍');
    expect(searchEmoji(groups, 'pizza').map((e) => e.emoji)).toEqual(['🍕']);
  });

  it('answers nothing for an empty query and at most the limit', () => {
    expect(searchEmoji(groups, '  ')).toEqual([]);
    expect(searchEmoji(groups, 'a', 10)).toHaveLength(10);
  });
});

describe('recently used and skin tone', () => {
  beforeEach(() => localStorage.clear());

  it('keeps recent emoji newest first, once each, at most RECENT_MAX', () => {
    rememberRecent('👍');
    rememberRecent('🎉');
    expect(rememberRecent('👍')).toEqual(['👍', '🎉']);
    for (let i = 0; i < RECENT_MAX + 5; i++) {
      rememberRecent(String.fromCodePoint(0x1f600 + i));
    }
    expect(readRecent()).toHaveLength(RECENT_MAX);
    expect(readRecent()[0]).toBe(String.fromCodePoint(0x1f600 + RECENT_MAX + 4));
  });

  it('survives garbage in storage', () => {
    localStorage.setItem('pychat.emojiRecent', '{nope');
    expect(readRecent()).toEqual([]);
    localStorage.setItem('pychat.emojiSkinTone', '9');
    expect(readSkinTone()).toBe(0);
  });

  it('remembers the skin tone', () => {
    saveSkinTone(3);
    expect(readSkinTone()).toBe(3);
  });
});

describe('wrapEmoji', () => {
  it('marks emoji runs, sequences and flags for the bundled font; keycaps keep the system font', () => {
    expect(wrapEmoji('hi 👍🏽 and 🇫🇷!')).toBe('hi <span class="emoji">👍🏽</span> and <span class="emoji">🇫🇷</span>!');
    expect(wrapEmoji('👨‍👩‍👧‍👦🎉')).toBe('<span class="emoji">👨‍👩‍👧‍👦🎉</span>');
    expect(wrapEmoji('press 1️⃣ ❤️')).toBe('press 1️⃣ <span class="emoji">❤️</span>');
  });

  it('leaves digits, text-style symbols and escaped HTML alone', () => {
    expect(wrapEmoji('© 2024 &#39;a&#39; → 42 ™ #1')).toBe('© 2024 &#39;a&#39; → 42 ™ #1');
  });
});
