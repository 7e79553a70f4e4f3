/**
 * The Unicode emoji set from emojibase-data (maintained with each Unicode release). The data (≈ 570 KB of JSON)
 * is its own chunk, fetched the first time a picker opens; nothing here adds it to the initial bundle. The picker
 * offers what the bundled font (Twemoji 15, styles/emoji-font.scss) draws: emoji of later Unicode versions are left
 * out until the font has them.
 */

/** The fields of emojibase's compact format that the picker reads. */
export interface CompactEmoji {
  hexcode: string;
  label: string;
  group?: number;
  order?: number;
  tags?: string[];
  skins?: { hexcode: string }[];
}

export interface EmojiEntry {
  /** The emoji as sent: built from the hexcode, so 👍 has no U+FE0F and matches what other clients send. */
  emoji: string;
  label: string;
  /** Label and tags in lower case, for search. */
  keywords: string[];
  group: number;
  /** Index 1–5: the emoji with that skin tone (index 0 unused), when it has tones. */
  skins?: string[];
}

export interface EmojiGroup {
  key: number;
  name: string;
  emoji: EmojiEntry[];
}

/** emojibase's group numbers; 2 (components: bare skin tones and hair) is not offered on its own. */
export const GROUP_NAMES: Record<number, string> = {
  0: 'Smileys & emotion',
  1: 'People & body',
  3: 'Animals & nature',
  4: 'Food & drink',
  5: 'Travel & places',
  6: 'Activities',
  7: 'Objects',
  8: 'Symbols',
  9: 'Flags',
};

export const SKIN_TONES = ['Default', 'Light', 'Medium-light', 'Medium', 'Medium-dark', 'Dark'] as const;
export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * The emoji from its code points. emojibase's hexcode leaves out U+FE0F after a lone text-style pictograph (❤ is
 * `2764`), which would then draw as a black symbol: add it there, and nowhere else (👍 stays one code point).
 */
export function fromHexcode(hexcode: string): string {
  const text = String.fromCodePoint(...hexcode.split('-').map((hex) => parseInt(hex, 16)));
  return /^\p{Extended_Pictographic}$/u.test(text) && !/\p{Emoji_Presentation}/u.test(text) ? `${text}\uFE0F` : text;
}

/** 1–5 when every skin-tone modifier in the sequence is the same one (a mixed pair has none). */
function singleTone(hexcode: string): number | undefined {
  const tones = new Set(
    hexcode
      .split('-')
      .map((hex) => parseInt(hex, 16) - 0x1f3fa)
      .filter((tone) => tone >= 1 && tone <= 5),
  );
  return tones.size === 1 ? [...tones][0] : undefined;
}

/** The newest Emoji version the bundled font draws (twemoji-colr-font 15.0). */
export const FONT_EMOJI_VERSION = 15;

/** Hexcodes of emoji newer than the font, from emojibase's `versions/emoji.json` (version → hexcodes). */
export function newerThanFont(versions: Record<string, string[]>): Set<string> {
  return new Set(
    Object.entries(versions)
      .filter(([version]) => Number(version) > FONT_EMOJI_VERSION)
      .flatMap(([, hexcodes]) => hexcodes),
  );
}

/** Keycaps (1️⃣) come out blank in Chromium with the font: those keep the system's. */
export function drawnByFont(emoji: string): boolean {
  return !emoji.includes('\u20E3');
}

/** Groups in emojibase order, each in Unicode's order, without the `excluded` hexcodes. */
export function buildGroups(data: readonly CompactEmoji[], excluded: ReadonlySet<string> = new Set()): EmojiGroup[] {
  const groups = new Map<number, EmojiGroup>();
  const sorted = [...data].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const item of sorted) {
    const name = item.group === undefined ? undefined : GROUP_NAMES[item.group];
    if (item.group === undefined || name === undefined || excluded.has(item.hexcode)) {
      continue;
    }
    let group = groups.get(item.group);
    if (!group) {
      group = { key: item.group, name, emoji: [] };
      groups.set(item.group, group);
    }
    const entry: EmojiEntry = {
      emoji: fromHexcode(item.hexcode),
      label: item.label,
      keywords: [item.label.toLowerCase(), ...(item.tags ?? []).map((t) => t.toLowerCase())],
      group: item.group,
    };
    // Only the five single-tone variants: multi-person emoji (🤝, 🧑‍🤝‍🧑) also list mixed pairs.
    const skins: string[] = [];
    for (const skin of (item.skins ?? []).filter((s) => !excluded.has(s.hexcode))) {
      const tone = singleTone(skin.hexcode);
      if (tone !== undefined) {
        skins[tone] = fromHexcode(skin.hexcode);
      }
    }
    if (skins.filter(Boolean).length === 5) {
      skins[0] = '';
      entry.skins = skins;
    }
    group.emoji.push(entry);
  }
  return [...groups.values()].sort((a, b) => a.key - b.key);
}

/** The emoji to insert: the chosen tone's variant where one exists. */
export function withTone(entry: EmojiEntry, tone: SkinTone): string {
  return (tone > 0 && entry.skins?.[tone]) || entry.emoji;
}

/**
 * Words of the query must each start a word of the label or a tag ("thumbs" finds 👍 and 👎, "cat face" finds
 * 🐱); label matches first, then in Unicode order.
 */
export function searchEmoji(groups: readonly EmojiGroup[], query: string, limit = 160): EmojiEntry[] {
  const words = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [];
  }
  const starts = (text: string, word: string): boolean => text.split(/[\s:,-]+/).some((part) => part.startsWith(word));
  const inLabel: EmojiEntry[] = [];
  const inTags: EmojiEntry[] = [];
  for (const group of groups) {
    for (const entry of group.emoji) {
      if (words.every((w) => starts(entry.label.toLowerCase(), w))) {
        inLabel.push(entry);
      } else if (words.every((w) => entry.keywords.some((k) => starts(k, w)))) {
        inTags.push(entry);
      }
    }
  }
  return [...inLabel, ...inTags].slice(0, limit);
}

let loading: Promise<EmojiGroup[]> | undefined;

/** Fetches the data chunk once per page; later pickers get the same groups. */
export function loadEmojiGroups(): Promise<EmojiGroup[]> {
  loading ??= Promise.all([
    import(/* webpackChunkName: "emoji-data" */ 'emojibase-data/en/compact.json'),
    import(/* webpackChunkName: "emoji-data" */ 'emojibase-data/versions/emoji.json'),
  ]).then(([data, versions]) =>
    buildGroups(
      (data as { default: CompactEmoji[] }).default,
      newerThanFont((versions as { default: Record<string, string[]> }).default),
    ),
  );
  return loading;
}

const RECENT_KEY = 'pychat.emojiRecent';
const TONE_KEY = 'pychat.emojiSkinTone';
export const RECENT_MAX = 24;

/** Recently used emoji, newest first, kept in this browser (like the skin tone): no server round trip. */
export function readRecent(storage: Storage = localStorage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((e): e is string => typeof e === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberRecent(emoji: string, storage: Storage = localStorage): string[] {
  const next = [emoji, ...readRecent(storage).filter((e) => e !== emoji)].slice(0, RECENT_MAX);
  storage.setItem(RECENT_KEY, JSON.stringify(next));
  return next;
}

export function readSkinTone(storage: Storage = localStorage): SkinTone {
  const tone = Number(storage.getItem(TONE_KEY));
  return Number.isInteger(tone) && tone >= 0 && tone <= 5 ? (tone as SkinTone) : 0;
}

export function saveSkinTone(tone: SkinTone, storage: Storage = localStorage): void {
  storage.setItem(TONE_KEY, String(tone));
}

// Marking emoji in message text is utils/emoji-text.ts: the chat view needs it, the rest of this only a picker.
export { wrapEmoji } from './emoji-text';
