import { describe, expect, it } from 'vitest';
import type { P2pMessage } from '../local-db.service';
import { missingOnOtherSide, newP2pMessageId, toMessageDto, wins } from './p2p-room.service';

function message(id: number, edited: number, patch: Partial<P2pMessage> = {}): P2pMessage {
  return {
    id,
    roomId: 5,
    senderId: 1,
    content: `m${id}`,
    createdAt: 1,
    editedAt: null,
    deleted: false,
    edited,
    ...patch,
  };
}

describe('p2p room sync (pychat rule: the higher edit counter wins)', () => {
  it('sends the other side what it lacks and what it holds an older edit of, nothing else', () => {
    const mine = [message(1, 0), message(2, 3), message(3, 1), message(4, 0)];
    const theirs: [number, number][] = [
      [1, 0],
      [2, 2],
      [3, 5],
    ];

    expect(missingOnOtherSide(mine, theirs).map((m) => m.id)).toEqual([2, 4]);
  });

  it('takes an incoming copy only when it is new or edited more often; a tie keeps the held copy', () => {
    expect(wins(message(1, 0), undefined)).toBe(true);
    expect(wins(message(1, 2), message(1, 1))).toBe(true);
    expect(wins(message(1, 1, { content: 'theirs' }), message(1, 1, { content: 'mine' }))).toBe(false);
    expect(wins(message(1, 0), message(1, 1, { deleted: true, content: null }))).toBe(false);
  });

  it('makes ids that sort by creation time and stay exact numbers', () => {
    const now = Date.UTC(2026, 11, 6);
    const first = newP2pMessageId(now);
    const second = newP2pMessageId(now + 1);

    expect(first).toBeLessThan(second);
    expect(Number.isSafeInteger(newP2pMessageId(Date.UTC(2200, 0, 1)))).toBe(true);
  });

  it('shows a deleted message without its text', () => {
    expect(toMessageDto(message(1, 2, { deleted: true, content: 'gone' }))).toMatchObject({
      id: 1,
      content: null,
      deleted: true,
      attachments: [],
      reactions: [],
    });
  });
});
