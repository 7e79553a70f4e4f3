import { describe, expect, it } from 'vitest';
import { isUnavailableError } from './errors';

describe(isUnavailableError.name, () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'SQLITE_BUSY'])(
    'maps %s (the database went away) to UNAVAILABLE',
    (code) => {
      expect(isUnavailableError(Object.assign(new Error('x'), { code }))).toBe(true);
    },
  );

  it('maps an error mysql2 marks fatal, even without a code', () => {
    const closed = Object.assign(new Error("Can't add new command when connection is in closed state"), {
      fatal: true,
    });
    expect(isUnavailableError(closed)).toBe(true);
  });

  it('leaves query errors and bugs to INTERNAL', () => {
    expect(isUnavailableError(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY', fatal: false }))).toBe(false);
    expect(isUnavailableError(new TypeError('undefined is not a function'))).toBe(false);
    expect(isUnavailableError(null)).toBe(false);
    expect(isUnavailableError('ECONNRESET')).toBe(false);
  });
});
