import { describe, expect, it } from 'vitest';
import { rankSwitcher, type SwitcherItem } from './switcher';

const room = (roomId: number, label: string): SwitcherItem => ({
  kind: 'room',
  key: `r${roomId}`,
  label,
  hint: '',
  roomId,
});
const person = (userId: number, label: string): SwitcherItem => ({
  kind: 'person',
  key: `u${userId}`,
  label,
  hint: '',
  userId,
  roomId: null,
});
const channel = (channelId: number, label: string): SwitcherItem => ({
  kind: 'channel',
  key: `c${channelId}`,
  label,
  hint: '',
  channelId,
});

describe('rankSwitcher', () => {
  const items = [channel(1, 'design'), person(2, 'desmond'), room(3, 'old-design'), room(4, 'Design-review')];

  it('matches case-insensitively anywhere, prefix matches first, then rooms, people, channels', () => {
    expect(rankSwitcher(items, 'DES').map((i) => i.key)).toEqual(['r4', 'u2', 'c1', 'r3']);
    expect(rankSwitcher(items, 'mond').map((i) => i.key)).toEqual(['u2']);
    expect(rankSwitcher(items, 'nothing')).toEqual([]);
  });

  it('lists everything for an empty query, up to the limit', () => {
    expect(rankSwitcher(items, '  ').map((i) => i.key)).toEqual(['r4', 'r3', 'u2', 'c1']);
    expect(rankSwitcher(items, '', 2)).toHaveLength(2);
  });
});
