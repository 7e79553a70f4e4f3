import { describe, expect, it } from 'vitest';
import { plural } from './plural';

describe('plural', () => {
  it('says "1 member" and "2 members"', () => {
    expect(plural(1, 'member')).toBe('1 member');
    expect(plural(2, 'member')).toBe('2 members');
    expect(plural(0, 'member')).toBe('0 members');
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'reply', 'replies')).toBe('1 reply');
    expect(plural(3, 'reply', 'replies')).toBe('3 replies');
  });
});
