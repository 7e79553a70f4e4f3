import { describe, expect, it } from 'vitest';
import { avatarColour } from './avatar';

describe('avatarColour', () => {
  it('gives one user one colour, and neighbours different ones', () => {
    expect(avatarColour(7)).toBe(avatarColour(7));
    const colours = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(avatarColour));
    expect(colours.size).toBe(10);
  });
});
