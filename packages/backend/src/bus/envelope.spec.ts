import { describe, expect, it } from 'vitest';
import { encodeEnvelope, frameTypeOf } from './envelope';

describe(frameTypeOf.name, () => {
  it('reads the event type of the frame, not of the target', () => {
    expect(frameTypeOf(encodeEnvelope({ all: true }, '{"type":"presence.changed","data":{"online":[8]}}'))).toBe(
      'presence.changed',
    );
    expect(frameTypeOf(encodeEnvelope({ room: 1 }, '{"type":"message.new","data":{}}'))).toBe('message.new');
  });

  it('answers undefined for anything that is not an envelope of a typed frame', () => {
    expect(frameTypeOf('{"type":"presence.changed"}')).toBeUndefined();
    expect(frameTypeOf('{"room":1}\n{"data":{},"type":"message.new"}')).toBeUndefined();
    expect(frameTypeOf('{"room":1}\n{"type":"message.new')).toBeUndefined();
  });
});
