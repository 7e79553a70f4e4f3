import { z } from 'zod';
import { LIMITS } from './limits';

/** A UTF-16 surrogate that is not half of a pair (with the u flag, a pair is one code point, not Cs). */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Lone surrogates replaced with U+FFFD. UTF-8 cannot hold them, so the database stores U+FFFD anyway;
 * normalising at the edge makes the live frame carry the same text as history. (String#toWellFormed
 * is not in every browser or in our TypeScript lib yet.)
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Free text from a client (message content, search queries, local ids): any characters, lone
 * surrogates normalised. Length limits count UTF-16 code units, unchanged by the normalisation.
 */
export const FreeText = z.string().overwrite(toWellFormed);

/**
 * Characters that draw nothing on their own: white space, controls, format characters (zero-width
 * space/joiners, BOM, bidi marks), default-ignorable code points (Hangul fillers, variation selectors)
 * and the blank Braille pattern.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;
/** Controls (NUL, line breaks, …) have no place in a one-line name. */
const CONTROL = /\p{Cc}/u;
/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder the text after
 * them, so a name could display as something else (or reorder the UI text beside it).
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * A room or channel name: trimmed, 1 to LIMITS.roomNameMaxLength code units, at least one visible
 * character, no control characters and no bidi overrides.
 */
export const DisplayName = FreeText.trim()
  .min(1, 'Name: required')
  .max(LIMITS.roomNameMaxLength, `Name: at most ${LIMITS.roomNameMaxLength} characters`)
  .refine((name) => !CONTROL.test(name), 'Name: no control characters')
  .refine(
    (name) => !BIDI_CONTROL.test(name),
    'Name: no bidirectional override characters (U+202A–U+202E, U+2066–U+2069)',
  )
  .refine((name) => !INVISIBLE.test(name), 'Name: needs at least one visible character');

/** A channel's topic: trimmed, may be empty, at most LIMITS.channelTopicMaxLength, no control or bidi characters. */
export const ChannelTopic = FreeText.trim()
  .max(LIMITS.channelTopicMaxLength, `Topic: at most ${LIMITS.channelTopicMaxLength} characters`)
  .refine((topic) => !CONTROL.test(topic), 'Topic: no control characters')
  .refine(
    (topic) => !BIDI_CONTROL.test(topic),
    'Topic: no bidirectional override characters (U+202A–U+202E, U+2066–U+2069)',
  );

/**
 * A one-line profile field (name, surname, city, contacts): trimmed, at most `max` code units, no control or
 * bidi characters; empty means "not set" (null).
 */
export function ProfileText(label: string, max: number) {
  return FreeText.trim()
    .max(max, `${label}: at most ${max} characters`)
    .refine((text) => !CONTROL.test(text), `${label}: no control characters`)
    .refine(
      (text) => !BIDI_CONTROL.test(text),
      `${label}: no bidirectional override characters (U+202A–U+202E, U+2066–U+2069)`,
    )
    .transform((text) => (text === '' || INVISIBLE.test(text) ? null : text))
    .nullable();
}

/**
 * Pieces an emoji is made of: pictographs, regional indicators (flags), skin tones and other components,
 * the keycap mark, ZWJ and variation selectors. Tag characters (U+E0020–U+E007F) spell subdivision flags.
 */
const EMOJI_PARTS =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Presentation}|\u200D|\uFE0F|\uFE0E|\u20E3)+$/u;
/** \p{Emoji_Component} alone also holds digits, `#` and `*`: one of these makes it an actual emoji. */
const EMOJI_CORE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/** A reaction: one emoji (any, including sequences, flags and keycaps), no text. */
export const Emoji = z
  .string()
  .min(1)
  .max(LIMITS.emojiMaxLength)
  .refine((text) => EMOJI_PARTS.test(text) && EMOJI_CORE.test(text), { message: 'Not an emoji' });
