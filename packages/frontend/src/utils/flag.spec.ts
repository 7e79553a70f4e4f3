import { describe, expect, it } from 'vitest';
import { flagEmoji, placeLabel } from './flag';

describe('flagEmoji', () => {
  it('turns a country code into its flag', () => {
    expect(flagEmoji('GB')).toBe('🇬🇧');
    expect(flagEmoji('us')).toBe('🇺🇸');
  });

  it('gives nothing for what is not a country code', () => {
    expect(flagEmoji('')).toBe('');
    expect(flagEmoji('G1')).toBe('');
  });
});

describe('placeLabel', () => {
  it('names city, region and country, skipping the unknown parts', () => {
    expect(placeLabel({ countryCode: 'GB', country: 'United Kingdom', region: 'ENG', city: 'Newmarket' })).toBe(
      'Newmarket, ENG, United Kingdom',
    );
    expect(placeLabel({ countryCode: 'US', country: 'United States', region: null, city: null })).toBe('United States');
  });
});
