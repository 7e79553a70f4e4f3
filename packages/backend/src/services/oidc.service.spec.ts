import { LIMITS } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { usernameBase, usernameCandidates } from './oidc.service';

describe('usernames for a first sign-in with a provider', () => {
  it('takes preferred_username, else the email local part, kept to the username rules', () => {
    expect(usernameBase({ preferredUsername: 'jane.doe', email: 'x@example.com' })).toBe('janedoe');
    expect(usernameBase({ preferredUsername: null, email: 'Zoë.Müller+chat@example.com' })).toBe('ZoeMullerchat');
    expect(usernameBase({ preferredUsername: 'ann@corp.example', email: null })).toBe('ann');
    expect(usernameBase({ preferredUsername: null, email: 'a-very-long-local-part_123@x.io' })).toBe(
      'a-very-long-loca',
    );
    expect(usernameBase({ preferredUsername: '李小龙', email: null })).toBe('user');
  });

  it('offers only valid names, numbered then random', () => {
    const names = [...usernameCandidates('sixteen-chars-ok', () => 0.1234)];
    expect(names.slice(0, 3)).toEqual(['sixteen-chars-ok', 'sixteen-chars-o2', 'sixteen-chars-o3']);
    expect(names.at(-1)).toBe('sixteen-char1234');
    expect(new Set(names.slice(0, 9)).size).toBe(9);
    for (const name of names) {
      expect(name).toMatch(LIMITS.usernamePattern);
    }
  });
});
