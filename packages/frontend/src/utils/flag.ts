import type { UserPlaceDto } from '@pychat/protocol';

/** The flag emoji of an ISO 3166-1 alpha-2 code: its two regional indicator symbols ("GB" → 🇬🇧). */
export function flagEmoji(countryCode: string): string {
  const code = countryCode.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) {
    return '';
  }
  return String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

let flagsDrawn: boolean | null = null;

/**
 * Whether this system's fonts draw flag emoji (Windows and many Linux desktops do not: there the two regional
 * indicators show as two boxes or letters). A font that draws the flag draws it as one glyph, narrower than the
 * two indicators side by side.
 */
export function flagEmojiSupported(): boolean {
  if (flagsDrawn === null) {
    const ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext?.('2d');
    if (!ctx) {
      flagsDrawn = false;
    } else {
      ctx.font = '16px sans-serif';
      const flag = ctx.measureText(flagEmoji('GB')).width;
      const letters = ctx.measureText(String.fromCodePoint(0x1f1ec)).width * 2;
      flagsDrawn = flag > 0 && flag < letters * 0.75;
    }
  }
  return flagsDrawn;
}

/** "Newmarket, ENG, United Kingdom": what a flag's tooltip says, the parts known. */
export function placeLabel(place: UserPlaceDto): string {
  return [place.city, place.region, place.country].filter((part) => part).join(', ');
}
