import { describe, expect, it } from 'vitest';
import { ClientEnvelope, clientRequests, isClientType, LIMITS, serverEvents, SignUpBody } from './index';

describe('protocol schemas', () => {
  it('accepts a well-formed message.send', () => {
    const parsed = clientRequests['message.send'].request.safeParse({ roomId: 1, content: 'hi', localId: 'a1' });
    expect(parsed.success).toBe(true);
  });

  it('refuses unknown keys so typos and smuggled fields never reach a service', () => {
    const parsed = clientRequests['message.send'].request.safeParse({
      roomId: 1,
      content: 'hi',
      localId: 'a1',
      senderId: 2,
    });
    expect(parsed.success).toBe(false);
  });

  it.each([0, -1, 1.5, '1', Number.MAX_SAFE_INTEGER + 2, null])('refuses a forged room id %s', (roomId) => {
    const parsed = clientRequests['message.send'].request.safeParse({ roomId, content: 'x', localId: 'l' });
    expect(parsed.success).toBe(false);
  });

  it('refuses empty and oversized message content', () => {
    const send = clientRequests['message.send'].request;
    expect(send.safeParse({ roomId: 1, content: '', localId: 'l' }).success).toBe(false);
    expect(send.safeParse({ roomId: 1, content: 'x'.repeat(10_001), localId: 'l' }).success).toBe(false);
    expect(send.safeParse({ roomId: 1, content: 'x'.repeat(10_000), localId: 'l' }).success).toBe(true);
  });

  it('caps history pages at 100', () => {
    const history = clientRequests['message.history'].request;
    expect(history.safeParse({ roomId: 1, limit: 100 }).success).toBe(true);
    expect(history.safeParse({ roomId: 1, limit: 101 }).success).toBe(false);
  });

  it('keeps the envelope strict', () => {
    expect(ClientEnvelope.safeParse({ type: 'message.send', data: {} }).success).toBe(true);
    expect(ClientEnvelope.safeParse({ type: 'message.send', data: {}, extra: 1 }).success).toBe(false);
    expect(ClientEnvelope.safeParse({ type: 'message.send', id: -3, data: {} }).success).toBe(false);
  });

  it('knows its own frame types and nothing else', () => {
    expect(isClientType('message.send')).toBe(true);
    expect(isClientType('toString')).toBe(false);
    expect(isClientType('__proto__')).toBe(false);
  });

  it('applies the username and password rules of the original', () => {
    expect(SignUpBody.safeParse({ username: 'alice_1-x', password: 'abcdefgh' }).success).toBe(true);
    expect(SignUpBody.safeParse({ username: 'ok', password: 'abcdefg' }).success).toBe(false);
    expect(SignUpBody.safeParse({ username: 'a'.repeat(17), password: 'abcdefgh' }).success).toBe(false);
    expect(SignUpBody.safeParse({ username: 'bad name', password: 'abcdefgh' }).success).toBe(false);
    expect(SignUpBody.safeParse({ username: 'ok', password: 'ab' }).success).toBe(false);
    expect(SignUpBody.safeParse({ username: 'ok', password: ' abcdefgh' }).success).toBe(false);
    expect(SignUpBody.safeParse({ username: 'ok', password: 'abcdefgh', email: 'not-an-email' }).success).toBe(false);
  });

  it('names every frame domain.verb', () => {
    for (const type of [...Object.keys(clientRequests), ...Object.keys(serverEvents)]) {
      // A domain may hold digits (`p2p.join`); still one lowercase word, a dot, one verb.
      expect(type).toMatch(/^[a-z][a-z0-9]*\.[a-zA-Z]+$/);
    }
  });

  describe('frame size limits', () => {
    const frameBytes = (type: string, data: unknown) =>
      Buffer.byteLength(JSON.stringify({ type, id: Number.MAX_SAFE_INTEGER, data }));

    it('fits the largest legal message.sync in the default frame limit', () => {
      const big = Number.MAX_SAFE_INTEGER;
      const data = {
        rooms: Array.from({ length: LIMITS.syncRoomsMax }, () => ({ roomId: big, lastMessageId: big, since: big })),
      };
      expect(clientRequests['message.sync'].request.safeParse(data).success).toBe(true);
      expect(frameBytes('message.sync', data)).toBeLessThanOrEqual(LIMITS.wsFrameBytes);
    });

    it('fits the largest legal message.send (every character escaped) in the default frame limit', () => {
      const data = {
        roomId: Number.MAX_SAFE_INTEGER,
        content: '\u0001'.repeat(LIMITS.messageMaxLength),
        localId: 'x'.repeat(LIMITS.localIdMaxLength),
        mentions: Array.from({ length: LIMITS.mentionsMax }, () => Number.MAX_SAFE_INTEGER),
        parentId: Number.MAX_SAFE_INTEGER,
      };
      const parsed = clientRequests['message.send'].request.safeParse(data);
      expect(parsed.success ? null : parsed.error.issues).toBeNull();
      expect(frameBytes('message.send', data)).toBeLessThanOrEqual(LIMITS.wsFrameBytes);
    });
  });
});
