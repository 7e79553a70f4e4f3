import type { UserPlaceDto } from '@pychat/protocol';

/** The flag emoji of an ISO 3166-1 alpha-2 code: its two regional indicator symbols ("GB" → 🇬🇧). */
export function flagEmoji(countryCode: string): string {
  const code = countryCode.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) {
    return '';
  }
  return String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

/** "Newmarket, ENG, United Kingdom": what a flag's tooltip says, the parts known. */
export function placeLabel(place: UserPlaceDto): string {
  return [place.city, place.region, place.country].filter((part) => part).join(', ');
}
