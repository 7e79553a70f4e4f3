// Apart from utils/emoji.ts, whose picker code loads with a picker; this is in every chat view (render-message).
// The font that draws the runs marked here: with the chat view, not only once a picker has loaded.
import '../styles/emoji-font.scss';

/**
 * One emoji as people see it: a pictograph with emoji presentation (or made so by U+FE0F or a skin tone), with its
 * ZWJ parts and tags; a flag. Text-style characters such as © or ↔ without U+FE0F are left alone, and so are
 * keycaps (drawnByFont).
 */
const EMOJI_RUN =
  /(?:\p{Regional_Indicator}{2}|(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}(?=\uFE0F|\p{Emoji_Modifier}))\uFE0F?\p{Emoji_Modifier}?(?:\u200D(?:\p{Emoji_Presentation}|\p{Extended_Pictographic})\uFE0F?\p{Emoji_Modifier}?)*[\u{E0020}-\u{E007F}]*)+/gu;

/**
 * Wraps each run of emoji in already-escaped HTML in `<span class="emoji">`, which draws it with the bundled font,
 * so everyone sees the same pictures whatever their system has.
 */
export function wrapEmoji(escapedHtml: string): string {
  return escapedHtml.replace(EMOJI_RUN, (run) => `<span class="emoji">${run}</span>`);
}
