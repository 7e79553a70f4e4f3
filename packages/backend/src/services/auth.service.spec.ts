import { ALL_ROOM_ID } from '@pychat/protocol';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSession, makeUser } from '../../test/factories/user.factory';
import {
  createTestService,
  expectAppError,
  expectNothingWritten,
  T0,
  TEST_SCRYPT,
  type TestServiceOptions,
} from '../../test/service';
import type { UserEntity } from '../entities';
import { DuplicateUserError } from '../repositories/user.repository';
import { AuthService, hashToken, ipKey, type ClientInfo } from './auth.service';
import { PasswordHasher, verifyPassword } from './password';
import { toUserDto } from './user.service';

const CLIENT: ClientInfo = { ip: '10.0.0.1', userAgent: 'vitest' };
const PASSWORD = 'correct horse';
const DAY = 86_400_000;

let passwordHash: string;

beforeAll(async () => {
  // One real scrypt hash for the whole file: hashing is deliberately slow.
  passwordHash = await new PasswordHasher(TEST_SCRYPT).hash(PASSWORD);
});

function setup(options: TestServiceOptions = {}) {
  const ctx = createTestService(AuthService, options);
  ctx.users.findByUsername.mockResolvedValue(null);
  ctx.users.findByEmail.mockResolvedValue(null);
  return ctx;
}

/** An AuthService that knows one password user, "bob". */
function setupWithBob(options: TestServiceOptions = {}) {
  const ctx = setup(options);
  const bob = makeUser({ username: 'bob', email: 'bob@example.test', passwordHash });
  ctx.users.findByUsername.mockImplementation(async (name) => (name.toLowerCase() === 'bob' ? bob : null));
  ctx.users.findByEmail.mockImplementation(async (email) => (email.toLowerCase() === bob.email ? bob : null));
  return { ...ctx, bob };
}

describe(AuthService.name, () => {
  describe('signUp', () => {
    it('creates the user in the "all" room, emits user.created and opens a session', async () => {
      const { sut, users, sessions, events } = setup();
      const created = makeUser({ username: 'alice', email: 'a@example.test' });
      users.createWithRoom.mockResolvedValue(created);

      const reply = await sut.signUp({ username: 'alice', password: PASSWORD, email: 'a@example.test' }, CLIENT);

      const [newUser, roomId, now] = users.createWithRoom.mock.calls[0];
      expect(newUser).toEqual({
        username: 'alice',
        email: 'a@example.test',
        // Verified only by the link mailed to it (or by an OpenID provider that vouches for it).
        emailVerified: false,
        passwordHash: expect.any(String),
        sex: 'secret',
      });
      // The stored hash verifies the password; the password itself is never stored.
      expect(newUser.passwordHash).not.toContain(PASSWORD);
      await expect(verifyPassword(PASSWORD, newUser.passwordHash as string)).resolves.toBe(true);
      expect([roomId, now]).toEqual([ALL_ROOM_ID, T0]);
      expect(reply.user).toEqual(toUserDto(created));
      expect(events.emitted).toEqual([{ name: 'user.created', payload: { user: toUserDto(created) } }]);
      expect(users.createWithRoom).toHaveBeenCalledBefore(events.emit);
      expect(sessions.create).toHaveBeenCalledWith({
        userId: created.id,
        tokenHash: hashToken(reply.token),
        createdAt: T0,
        lastUsedAt: T0,
        userAgent: 'vitest',
        ip: '10.0.0.1',
      });
    });

    it('stores no email when none is given and does not look one up', async () => {
      const { sut, users } = setup();
      users.createWithRoom.mockResolvedValue(makeUser());

      await sut.signUp({ username: 'alice', password: PASSWORD, sex: 'female' }, { ip: null, userAgent: null });

      expect(users.findByEmail).not.toHaveBeenCalled();
      expect(users.createWithRoom.mock.calls[0][0]).toMatchObject({ email: null, sex: 'female' });
    });

    it('refuses a taken username (USERNAME_TAKEN) and creates nothing', async () => {
      const ctx = setup();
      ctx.users.findByUsername.mockResolvedValue(makeUser({ username: 'alice' }));

      await expectAppError(ctx.sut.signUp({ username: 'alice', password: PASSWORD }, CLIENT), 'USERNAME_TAKEN');
      expectNothingWritten(ctx);
    });

    it('refuses an email used by another account (EMAIL_TAKEN) and creates nothing', async () => {
      const ctx = setup();
      ctx.users.findByEmail.mockResolvedValue(makeUser());

      await expectAppError(
        ctx.sut.signUp({ username: 'alice', password: PASSWORD, email: 'a@example.test' }, CLIENT),
        'EMAIL_TAKEN',
      );
      expectNothingWritten(ctx);
    });

    it('turns a lost race on the unique username into USERNAME_TAKEN, with no event and no session', async () => {
      const { sut, users, sessions, events } = setup();
      users.createWithRoom.mockRejectedValue(new DuplicateUserError('username'));

      await expectAppError(sut.signUp({ username: 'alice', password: PASSWORD }, CLIENT), 'USERNAME_TAKEN');
      expect(events.emitted).toEqual([]);
      expect(sessions.create).not.toHaveBeenCalled();
    });

    it('turns a lost race on the unique email into EMAIL_TAKEN', async () => {
      const { sut, users } = setup();
      users.createWithRoom.mockRejectedValue(new DuplicateUserError('email'));

      await expectAppError(
        sut.signUp({ username: 'alice', password: PASSWORD, email: 'a@x.test' }, CLIENT),
        'EMAIL_TAKEN',
      );
    });

    it('refuses a common password before hashing anything', async () => {
      const { sut, users, hasher } = setup();
      const hash = vi.spyOn(hasher, 'hash');

      await expectAppError(sut.signUp({ username: 'alice', password: 'password1' }, CLIENT), 'VALIDATION_FAILED');
      expect(hash).not.toHaveBeenCalled();
      expect(users.createWithRoom).not.toHaveBeenCalled();
    });

    it('allows signUpMaxPerIp sign-ups per address per hour, then RATE_LIMITED with the time left', async () => {
      const { sut, users, clock } = setup({ auth: { signUpMaxPerIp: 2 } });
      users.createWithRoom.mockImplementation(async (u) => makeUser({ username: u.username }));
      await sut.signUp({ username: 'a1', password: PASSWORD }, CLIENT);
      await sut.signUp({ username: 'a2', password: PASSWORD }, CLIENT);
      clock.advance(60_000);

      await expect(sut.signUp({ username: 'a3', password: PASSWORD }, CLIENT)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterMs: 59 * 60_000,
      });
      expect(users.createWithRoom).toHaveBeenCalledTimes(2);
      // Another address has its own budget; the first one gets a new one after the hour.
      await sut.signUp({ username: 'b1', password: PASSWORD }, { ...CLIENT, ip: '10.0.0.2' });
      clock.advance(59 * 60_000);
      await sut.signUp({ username: 'a3', password: PASSWORD }, CLIENT);
    });

    it('rethrows other database failures as they are', async () => {
      const { sut, users } = setup();
      const failure = Object.assign(new Error('gone'), { code: 'ECONNREFUSED' });
      users.createWithRoom.mockRejectedValue(failure);

      await expect(sut.signUp({ username: 'alice', password: PASSWORD }, CLIENT)).rejects.toBe(failure);
    });
  });

  describe('signIn', () => {
    it('signs in by username, case-insensitively, and opens a session', async () => {
      const { sut, sessions, bob, users } = setupWithBob();

      const reply = await sut.signIn({ login: 'Bob', password: PASSWORD }, CLIENT);

      expect(users.findByUsername).toHaveBeenCalledWith('Bob');
      expect(reply.user).toEqual(toUserDto(bob));
      expect(sessions.create).toHaveBeenCalledWith(
        expect.objectContaining({ userId: bob.id, tokenHash: hashToken(reply.token) }),
      );
    });

    it('signs in by email when the login contains "@"', async () => {
      const { sut, users, bob } = setupWithBob();

      const reply = await sut.signIn({ login: 'bob@example.test', password: PASSWORD }, CLIENT);

      expect(users.findByEmail).toHaveBeenCalledWith('bob@example.test');
      expect(users.findByUsername).not.toHaveBeenCalled();
      expect(reply.user.id).toBe(bob.id);
    });

    it('gives a fresh token on every sign-in', async () => {
      const { sut } = setupWithBob();

      const first = await sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT);
      const second = await sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT);

      expect(first.token).not.toBe(second.token);
      expect(first.token.length).toBeGreaterThanOrEqual(40);
    });

    it('truncates a long user agent and ip to their column sizes', async () => {
      const { sut, sessions } = setupWithBob();

      await sut.signIn({ login: 'bob', password: PASSWORD }, { ip: '1'.repeat(60), userAgent: 'u'.repeat(300) });

      expect(sessions.create).toHaveBeenCalledWith(
        expect.objectContaining({ ip: '1'.repeat(45), userAgent: 'u'.repeat(255) }),
      );
    });

    it('answers a wrong password and an unknown account the same way, and opens no session', async () => {
      const ctx = setupWithBob();

      const wrong = await expectAppError(
        ctx.sut.signIn({ login: 'bob', password: 'nope' }, CLIENT),
        'INVALID_CREDENTIALS',
      );
      const unknown = await expectAppError(
        ctx.sut.signIn({ login: 'nobody', password: 'nope' }, CLIENT),
        'INVALID_CREDENTIALS',
      );

      expect(wrong.message).toBe(unknown.message);
      expectNothingWritten(ctx);
    });

    it('refuses a password sign-in to an account without a password', async () => {
      const ctx = setup();
      ctx.users.findByUsername.mockResolvedValue(makeUser({ username: 'oauth', passwordHash: null }));

      await expectAppError(ctx.sut.signIn({ login: 'oauth', password: 'x' }, CLIENT), 'INVALID_CREDENTIALS');
      expectNothingWritten(ctx);
    });

    it('delays attempts after the free failures, doubling, without checking the password, for the failing address', async () => {
      const { sut, clock, sessions, hasher } = setupWithBob({
        auth: { signInMaxFailuresPerAccount: 2, signInMaxPerIp: 1000 },
      });
      for (let i = 0; i < 2; i++) {
        await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');
      }
      const verify = vi.spyOn(hasher, 'verify');

      // The account key ignores case, so "BOB" shares bob's budget; the right password does not help here.
      const refused = sut.signIn({ login: 'BOB', password: PASSWORD }, CLIENT);
      await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
      expect(verify).not.toHaveBeenCalled();
      expect(sessions.create).not.toHaveBeenCalled();

      clock.advance(1000);
      await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');
      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterMs: 2000,
      });
      clock.advance(2000);
      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT)).resolves.toHaveProperty('token');
    });

    it('lets the owner in while an attacker failing 50 times from one address only slows themselves', async () => {
      const { sut, clock, sessions } = setupWithBob({ auth: { signInMaxFailuresPerAccount: 5, signInMaxPerIp: 1000 } });
      const attacker: ClientInfo = { ip: '203.0.113.7', userAgent: 'attacker' };
      const answers: string[] = [];
      for (let i = 0; i < 50; i++) {
        await sut.signIn({ login: 'bob', password: `guess-${i}` }, attacker).catch((e: { code: string }) => {
          answers.push(e.code);
        });
        clock.advance(100);
      }
      // 5 free guesses, then 1 s, 2 s, 4 s… apart: in 5 s the attacker got 7 password checks, not 50.
      expect(answers.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(7);
      expect(answers.filter((c) => c === 'RATE_LIMITED')).toHaveLength(43);

      // The owner on another network: that address never failed on bob, so it is fresh.
      const elsewhere: ClientInfo = { ip: '198.51.100.20', userAgent: 'phone' };
      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, elsewhere)).resolves.toHaveProperty('token');

      // The owner at an address that failed too (a shared network), from where bob already has a session.
      sessions.existsForUserFromIp.mockImplementation(async (_userId, ip) => ip === '203.0.113.7');
      for (let i = 0; i < 10; i++) {
        await sut.signIn({ login: 'bob', password: `guess-${i}` }, attacker).catch(() => undefined);
      }
      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, attacker)).resolves.toHaveProperty('token');
    });

    it('counts failures per account, whether the username or the email was typed', async () => {
      const { sut } = setupWithBob({ auth: { signInMaxFailuresPerAccount: 2, signInMaxPerIp: 100 } });
      await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');
      await expectAppError(sut.signIn({ login: 'bob@example.test', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');

      await expectAppError(sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT), 'RATE_LIMITED');
      await expectAppError(sut.signIn({ login: 'BOB@example.test', password: PASSWORD }, CLIENT), 'RATE_LIMITED');
    });

    it('counts failures for an unknown login by its text, without delaying real accounts', async () => {
      const { sut } = setupWithBob({ auth: { signInMaxFailuresPerAccount: 1, signInMaxPerIp: 100 } });
      await expectAppError(sut.signIn({ login: 'ghost', password: 'x' }, CLIENT), 'INVALID_CREDENTIALS');

      await expectAppError(sut.signIn({ login: 'Ghost', password: 'x' }, CLIENT), 'RATE_LIMITED');
      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT)).resolves.toHaveProperty('token');
    });

    it('runs the same password check for an unknown login as for a real one (no timing oracle)', async () => {
      const { sut, hasher } = setupWithBob();
      const verify = vi.spyOn(hasher, 'verify');

      await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');
      await expectAppError(sut.signIn({ login: 'nobody', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');

      // Both paths run scrypt with the same parameters: only the stored hash differs.
      expect(verify).toHaveBeenCalledTimes(2);
      const [, real] = verify.mock.calls[0] as [string, string];
      const [, dummy] = verify.mock.calls[1] as [string, string];
      expect(dummy.split('$').slice(0, 4)).toEqual(real.split('$').slice(0, 4));
    });

    it('forgets past failures after a successful sign-in', async () => {
      const { sut } = setupWithBob({ auth: { signInMaxFailuresPerAccount: 2, signInMaxPerIp: 100 } });
      await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');
      await sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT);
      await expectAppError(sut.signIn({ login: 'bob', password: 'nope' }, CLIENT), 'INVALID_CREDENTIALS');

      await expect(sut.signIn({ login: 'bob', password: PASSWORD }, CLIENT)).resolves.toHaveProperty('token');
    });

    it('counts IPv6 clients per /64, so one subscriber cannot rotate addresses', async () => {
      const { sut } = setup({ auth: { signInMaxPerIp: 2, signInMaxFailuresPerAccount: 100 } });
      await expectAppError(
        sut.signIn({ login: 'a', password: 'x' }, { ip: '2001:db8:1:2::1', userAgent: null }),
        'INVALID_CREDENTIALS',
      );
      await expectAppError(
        sut.signIn({ login: 'a', password: 'x' }, { ip: '2001:db8:1:2:ffff::9', userAgent: null }),
        'INVALID_CREDENTIALS',
      );

      await expectAppError(
        sut.signIn({ login: 'a', password: 'x' }, { ip: '2001:0db8:0001:0002:aaaa::', userAgent: null }),
        'RATE_LIMITED',
      );
      expect(ipKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
      expect(ipKey('::1')).toBe('0:0:0:0::/64');
    });

    it('limits attempts per IP, successful or not, without affecting other IPs', async () => {
      const { sut, users } = setup({ auth: { signInMaxPerIp: 3, signInMaxFailuresPerAccount: 100 } });
      for (let i = 0; i < 3; i++) {
        await expectAppError(sut.signIn({ login: `user${i}`, password: 'x' }, CLIENT), 'INVALID_CREDENTIALS');
      }

      await expectAppError(sut.signIn({ login: 'someone', password: 'x' }, CLIENT), 'RATE_LIMITED');
      // A refused attempt does not even look the account up.
      expect(users.findByUsername).toHaveBeenCalledTimes(3);
      await expectAppError(
        sut.signIn({ login: 'someone', password: 'x' }, { ...CLIENT, ip: '10.0.0.2' }),
        'INVALID_CREDENTIALS',
      );
    });
  });

  describe('signOut', () => {
    it('deletes the session by the hash of its token, then ends its sockets', async () => {
      const { sut, sessions, events } = setup();
      sessions.deleteByTokenHash.mockResolvedValue(42);

      await sut.signOut('a-token-of-some-length');

      expect(sessions.deleteByTokenHash).toHaveBeenCalledWith(hashToken('a-token-of-some-length'));
      expect(events.emitted).toEqual([{ name: 'session.ended', payload: { sessionIds: [42], reason: 'signed-out' } }]);
      expect(sessions.deleteByTokenHash).toHaveBeenCalledBefore(events.emit);
    });

    it('emits nothing for a token that matches no session', async () => {
      const { sut, sessions, events } = setup();
      sessions.deleteByTokenHash.mockResolvedValue(null);

      await sut.signOut('an-unknown-token-of-some-length');

      expect(events.emitted).toEqual([]);
    });
  });

  describe('authenticate', () => {
    const TOKEN = 'x'.repeat(43);

    function withSession(lastUsedAt: number) {
      const ctx = setup();
      const user: UserEntity = makeUser();
      const session = makeSession({ userId: user.id, tokenHash: hashToken(TOKEN), lastUsedAt });
      ctx.sessions.findWithUser.mockResolvedValue({ session, user });
      return { ...ctx, user, session };
    }

    it('finds the user behind a token by its hash', async () => {
      const { sut, sessions, user, session } = withSession(T0 - 1000);

      await expect(sut.authenticate(TOKEN)).resolves.toEqual({ user, sessionId: session.id });
      expect(sessions.findWithUser).toHaveBeenCalledWith(hashToken(TOKEN));
    });

    it.each([
      ['too short', 'x'.repeat(19)],
      ['too long', 'x'.repeat(129)],
    ])('rejects a %s token without a query', async (_, token) => {
      const { sut, sessions } = setup();

      await expect(sut.authenticate(token)).resolves.toBeNull();
      expect(sessions.findWithUser).not.toHaveBeenCalled();
    });

    it('answers null for an unknown token', async () => {
      const { sut, sessions } = setup();
      sessions.findWithUser.mockResolvedValue(null);

      await expect(sut.authenticate(TOKEN)).resolves.toBeNull();
    });

    it('deletes and refuses a session unused for longer than its lifetime', async () => {
      const { sut, sessions, session, authOptions } = withSession(T0 - 30 * DAY - 1);
      expect(authOptions.sessionTtlMs).toBe(30 * DAY);

      await expect(sut.authenticate(TOKEN)).resolves.toBeNull();
      expect(sessions.deleteByTokenHash).toHaveBeenCalledWith(session.tokenHash);
    });

    it('accepts a session used exactly one lifetime ago and records the use', async () => {
      const { sut, sessions, session } = withSession(T0 - 30 * DAY);

      await expect(sut.authenticate(TOKEN)).resolves.not.toBeNull();
      expect(sessions.deleteByTokenHash).not.toHaveBeenCalled();
      expect(sessions.touch).toHaveBeenCalledWith(session.id, T0);
    });

    it('does not write for a session used within the last minute, so reads stay reads', async () => {
      const { sut, sessions } = withSession(T0 - 60_000);

      await expect(sut.authenticate(TOKEN)).resolves.not.toBeNull();
      expect(sessions.touch).not.toHaveBeenCalled();
    });

    it('records the use of a session last used over a minute ago', async () => {
      const { sut, sessions, session } = withSession(T0 - 60_001);

      await sut.authenticate(TOKEN);

      expect(sessions.touch).toHaveBeenCalledWith(session.id, T0);
    });
  });

  describe('authenticateWithSettings (a socket connect)', () => {
    const TOKEN = 'x'.repeat(43);

    function withSession(lastUsedAt: number) {
      const ctx = setup();
      const user: UserEntity = makeUser();
      const session = makeSession({ userId: user.id, tokenHash: hashToken(TOKEN), lastUsedAt });
      ctx.sessions.findWithUserAndSettings.mockResolvedValue({ session, user, settings: null });
      return { ...ctx, user, session };
    }

    it('does not write a session used within the hour: a reconnect storm after a restart costs no UPDATE each', async () => {
      const { sut, sessions, user, session } = withSession(T0 - 59 * 60_000);

      await expect(sut.authenticateWithSettings(TOKEN)).resolves.toEqual({
        user,
        sessionId: session.id,
        settings: null,
      });
      expect(sessions.touch).not.toHaveBeenCalled();
    });

    it('records the use of a session unused for over an hour', async () => {
      const { sut, sessions, session } = withSession(T0 - 3_600_001);

      await sut.authenticateWithSettings(TOKEN);

      expect(sessions.touch).toHaveBeenCalledWith(session.id, T0);
    });

    it('still refuses a session past its lifetime', async () => {
      const { sut, sessions, session } = withSession(T0 - 30 * DAY - 1);

      await expect(sut.authenticateWithSettings(TOKEN)).resolves.toBeNull();
      expect(sessions.deleteByTokenHash).toHaveBeenCalledWith(session.tokenHash);
    });
  });

  describe('availability', () => {
    it('reports a username or email as available only when no account has it', async () => {
      const { sut, users } = setup();
      users.findByUsername.mockImplementation(async (name) => (name === 'taken' ? makeUser() : null));
      users.findByEmail.mockImplementation(async (email) => (email === 't@example.test' ? makeUser() : null));

      await expect(sut.usernameAvailable('taken')).resolves.toBe(false);
      await expect(sut.usernameAvailable('free')).resolves.toBe(true);
      await expect(sut.emailAvailable('t@example.test')).resolves.toBe(false);
      await expect(sut.emailAvailable('f@example.test')).resolves.toBe(true);
    });
  });
  describe('operator commands (pychat create-user / reset-password)', () => {
    it('createAccount keeps the sign-up rules: policy, names taken in any case, a lost race', async () => {
      const { sut, users, sessions } = setupWithBob();
      await expectAppError(
        sut.createAccount({ username: 'x', email: null, password: 'password' }),
        'VALIDATION_FAILED',
      );
      await expectAppError(sut.createAccount({ username: 'BOB', email: null, password: PASSWORD }), 'USERNAME_TAKEN');
      users.createWithRoom.mockRejectedValue(new DuplicateUserError('email'));
      await expectAppError(
        sut.createAccount({ username: 'carol', email: 'c@x.test', password: PASSWORD }),
        'EMAIL_TAKEN',
      );
      expect(sessions.create).not.toHaveBeenCalled();
    });

    it('resetPassword replaces the hash, ends every session and announces it as password-reset', async () => {
      const { sut, users, events, bob } = setupWithBob();
      users.replacePassword.mockResolvedValue([3, 4]);

      expect(await sut.resetPassword('BOB@example.test', PASSWORD)).toEqual({ user: bob, endedSessions: 2 });

      const [userId, hash] = users.replacePassword.mock.calls[0];
      expect(userId).toBe(bob.id);
      expect(await verifyPassword(PASSWORD, hash)).toBe(true);
      expect(events.emitted).toEqual([
        { name: 'session.ended', payload: { sessionIds: [3, 4], reason: 'password-reset' } },
      ]);
      expect(await sut.resetPassword('nobody', PASSWORD)).toBeNull();
    });
  });
});
