import { createHash, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { ALL_ROOM_ID, type AuthResponse, type SignInBody, type SignUpBody } from '@pychat/protocol';
import type { SessionEntity, UserEntity, UserSettingsEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { SessionRepository } from '../repositories/session.repository';
import { DuplicateUserError, type UserRepository } from '../repositories/user.repository';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import { assertPasswordAllowed, PasswordHasher } from './password';
import { BoundedMap, RateLimiter } from './rate-limiter';
import type { CaptchaService } from './captcha.service';
import type { InviteRepository } from '../repositories/invite.repository';
import { toUserDto } from './user.service';

export interface AuthOptions {
  signInMaxPerIp: number;
  /** Failures of one account before attempts are delayed (see #signInDelay). */
  signInMaxFailuresPerAccount: number;
  signUpMaxPerIp: number;
  sessionTtlMs: number;
  /**
   * `closed`: signUp is refused; createAccount (the operator's) still works. `invite`: signUp needs a live
   * invite link's token (sign-in with an identity provider creates no account then).
   */
  registration?: 'open' | 'invite' | 'closed';
  /** Failed sign-ins of one login from one address before its next attempts need a captcha (when one is configured). */
  captchaAfterFailedSignIns?: number;
}

/** What sign-up and sign-in need beyond the accounts (invite links, captcha); absent: neither. */
export interface AuthExtras {
  invites?: InviteRepository;
  captcha?: CaptchaService;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Sessions are only written back when used again after this long, so reads stay reads. */
const TOUCH_AFTER_MS = 60_000;
const SIGN_IN_WINDOW_MS = 5 * 60_000;
const SIGN_UP_WINDOW_MS = 60 * 60_000;
/** After the free failures an account's next attempt waits this long, doubling per failure up to the cap. */
const DELAY_BASE_MS = 1_000;
const DELAY_MAX_MS = 15 * 60_000;
/** Failures (per account, and per account and address) are forgotten this long after the last one. */
const FAILURE_MEMORY_MS = 24 * 60 * 60_000;
/** Sessions kept alive by an open socket only are written back this often (see endedSessions). */
const SOCKET_TOUCH_AFTER_MS = 3_600_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The limiter key of a client address: IPv6 by /64 (what one subscriber gets), IPv4 (also mapped) as is. */
export function ipKey(ip: string | null): string {
  if (!ip) {
    return 'unknown';
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    return mapped[1] as string;
  }
  if (!isIPv6(ip)) {
    return ip;
  }
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** ACCOUNT_DEACTIVATED for an account a site admin deactivated: no new session for it. */
export function assertActive(user: UserEntity): void {
  if (user.deactivatedAt !== null) {
    throw new AppError('ACCOUNT_DEACTIVATED', 'This account has been deactivated by an administrator');
  }
}

function rateLimited(message: string, retryAfterMs: number): AppError {
  return new AppError('RATE_LIMITED', message, undefined, retryAfterMs);
}

export class AuthService {
  readonly #signInPerIp: RateLimiter;
  readonly #signUpPerIp: RateLimiter;
  /** Failed sign-ins per account (`user:<id>`, or `login:<text>` for a login that matches nobody). */
  readonly #failures = new BoundedMap<{ count: number; lastAt: number }>();
  /** When each `<account>|<address>` last failed: addresses not in it are fresh for that account. */
  readonly #failedFrom = new BoundedMap<number>();
  /** Failed sign-ins per `<login>|<address>` (as typed, lower case), for the captcha: count and when the last was. */
  readonly #captchaFailures = new BoundedMap<{ count: number; lastAt: number }>();
  readonly #logger: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly events: DomainEventBus,
    private readonly options: AuthOptions,
    private readonly clock: Clock,
    logger: Logger,
    private readonly hasher: PasswordHasher = new PasswordHasher(),
    private readonly extras: AuthExtras = {},
  ) {
    this.#signInPerIp = new RateLimiter(options.signInMaxPerIp, SIGN_IN_WINDOW_MS);
    this.#signUpPerIp = new RateLimiter(options.signUpMaxPerIp, SIGN_UP_WINDOW_MS);
    this.#logger = logger.child({ ctx: 'AuthService' });
  }

  get registration(): 'open' | 'invite' | 'closed' {
    return this.options.registration ?? 'open';
  }

  async usernameAvailable(username: string): Promise<boolean> {
    return (await this.users.findByUsername(username)) === null;
  }

  async emailAvailable(email: string): Promise<boolean> {
    return (await this.users.findByEmail(email)) === null;
  }

  /** Creates the account, joins it to the "all" room and signs it in. */
  async signUp(body: SignUpBody, client: ClientInfo): Promise<AuthResponse> {
    if (this.options.registration === 'closed') {
      throw new AppError(
        'REGISTRATION_CLOSED',
        'Sign-up is closed on this server; ask its administrator for an account',
      );
    }
    assertPasswordAllowed(body.password);
    // Counted before the lookups: each attempt may cost a hash, and probing names by sign-up is bounded too.
    const now = this.clock();
    const ip = ipKey(client.ip);
    const wait = this.#signUpPerIp.retryAfterMs(ip, now);
    if (wait > 0) {
      throw rateLimited('Too many sign-ups from this address; try again later', wait);
    }
    this.#signUpPerIp.hit(ip, now);
    await this.extras.captcha?.verify(body.captcha, client.ip);
    const invite = this.options.registration === 'invite' ? await this.#useInvite(body.invite, now) : null;
    let user: UserEntity;
    try {
      user = await this.#create(body.username, body.email ?? null, body.password, body.sex ?? 'secret');
    } catch (error) {
      if (invite !== null) {
        await this.extras.invites?.release(invite);
      }
      throw error;
    }
    if (invite !== null) {
      this.#logger.info({ user: user.id }, 'signed up with an invite');
    }
    return { user: toUserDto(user), token: await this.createSession(user.id, client) };
  }

  /**
   * Counts a use of the invite, or says why it cannot be used. The conditional UPDATE decides (so concurrent
   * sign-ups never over-use it); the lookup before only picks the error. Returns the token hash, for release.
   */
  async #useInvite(token: string | undefined, now: number): Promise<string> {
    if (!token) {
      throw new AppError('INVITE_REQUIRED', 'Sign-up on this server needs an invite link; ask an administrator');
    }
    const invites = this.extras.invites;
    const hash = hashToken(token);
    if (invites && (await invites.consume(hash, now))) {
      return hash;
    }
    const invite = await invites?.findByHash(hash);
    if (!invite || invite.revokedAt !== null) {
      throw new AppError('INVITE_INVALID', 'This invite link is not valid (it may have been revoked)');
    }
    if (invite.expiresAt !== null && invite.expiresAt <= now) {
      throw new AppError('INVITE_EXPIRED', 'This invite link has expired; ask for a new one');
    }
    throw new AppError('INVITE_USED_UP', 'This invite link has been used as many times as it allows');
  }

  /**
   * An account made by the operator (`pychat create-user`): the sign-up's rules (password policy, names taken
   * in any case, the "all" room) without its rate limit, and no session.
   */
  async createAccount(body: { username: string; email: string | null; password: string }): Promise<UserEntity> {
    assertPasswordAllowed(body.password);
    return this.#create(body.username, body.email, body.password, 'secret');
  }

  /**
   * An account without a password, made on first sign-in with an identity provider (oidc.service.ts): the
   * sign-up's registration mode and per-address limit, joined to the "all" room. Throws USERNAME_TAKEN or
   * EMAIL_TAKEN as sign-up does; the caller picks the name.
   */
  async createExternalAccount(
    body: { username: string; email: string | null; emailVerified: boolean },
    client: ClientInfo,
  ): Promise<UserEntity> {
    // An invite cannot travel through the provider's redirect: invite-only servers take existing accounts only.
    if (this.options.registration === 'closed' || this.options.registration === 'invite') {
      throw new AppError(
        'REGISTRATION_CLOSED',
        'Sign-up is closed on this server; ask its administrator for an account',
      );
    }
    const now = this.clock();
    const ip = ipKey(client.ip);
    const wait = this.#signUpPerIp.retryAfterMs(ip, now);
    if (wait > 0) {
      throw rateLimited('Too many sign-ups from this address; try again later', wait);
    }
    this.#signUpPerIp.hit(ip, now);
    return this.#create(body.username, body.email, null, 'secret', body.emailVerified);
  }

  /** A session for a user already authenticated elsewhere (identity provider); the token as sign-in gives it. */
  async startSession(user: UserEntity, client: ClientInfo): Promise<AuthResponse> {
    assertActive(user);
    return { user: toUserDto(user), token: await this.createSession(user.id, client) };
  }

  async #create(
    username: string,
    email: string | null,
    password: string | null,
    sex: UserEntity['sex'],
    emailVerified = false,
  ): Promise<UserEntity> {
    if (!(await this.usernameAvailable(username))) {
      throw new AppError('USERNAME_TAKEN', `Username "${username}" is already taken`);
    }
    if (email && !(await this.emailAvailable(email))) {
      throw new AppError('EMAIL_TAKEN', `Email "${email}" is already used by another account`);
    }
    const passwordHash = password === null ? null : await this.hasher.hash(password);
    let user: UserEntity;
    try {
      user = await this.users.createWithRoom(
        { username, email, passwordHash, sex, emailVerified },
        ALL_ROOM_ID,
        this.clock(),
      );
    } catch (error) {
      // Lost a race with a concurrent sign-up of the same name or email (in any case: the indexes ignore it).
      if (error instanceof DuplicateUserError && error.field === 'email') {
        throw new AppError('EMAIL_TAKEN', `Email "${email}" is already used by another account`);
      }
      if (error instanceof DuplicateUserError) {
        throw new AppError('USERNAME_TAKEN', `Username "${username}" is already taken`);
      }
      throw error;
    }
    this.#logger.info({ user: user.id }, 'signed up');
    await this.events.emit('user.created', { user: toUserDto(user) });
    return user;
  }

  /**
   * The operator's password reset (`pychat reset-password`): a new password and every session of the account
   * ends in the same transaction; their open sockets close (session.ended). Null when no account has this
   * login (username, or email when it has an @).
   */
  async resetPassword(login: string, password: string): Promise<{ user: UserEntity; endedSessions: number } | null> {
    assertPasswordAllowed(password);
    const user = login.includes('@') ? await this.users.findByEmail(login) : await this.users.findByUsername(login);
    if (!user) {
      return null;
    }
    const ended = await this.users.replacePassword(user.id, await this.hasher.hash(password));
    this.#logger.info({ user: user.id, sessions: ended.length }, 'password reset');
    if (ended.length > 0) {
      await this.events.emit('session.ended', { sessionIds: ended, reason: 'password-reset' });
    }
    return { user, endedSessions: ended.length };
  }

  async signIn(body: SignInBody, client: ClientInfo): Promise<AuthResponse> {
    const now = this.clock();
    const ip = ipKey(client.ip);
    const ipWait = this.#signInPerIp.retryAfterMs(ip, now);
    if (ipWait > 0) {
      throw rateLimited('Too many sign-in attempts from this address; wait a few minutes and try again', ipWait);
    }
    this.#signInPerIp.hit(ip, now);
    const captchaKey = `${body.login.toLowerCase()}|${ip}`;
    const captchaFailures = this.#captchaFailures.get(captchaKey);
    if (
      this.extras.captcha?.enabled &&
      captchaFailures &&
      now - captchaFailures.lastAt <= FAILURE_MEMORY_MS &&
      captchaFailures.count >= (this.options.captchaAfterFailedSignIns ?? 3)
    ) {
      await this.extras.captcha.verify(body.captcha, client.ip);
    }
    const user = body.login.includes('@')
      ? await this.users.findByEmail(body.login)
      : await this.users.findByUsername(body.login);
    // Failures count per account whichever of its names was typed, so username and email do not each
    // get a full guessing budget; a login that matches nobody is counted by its text.
    const account = user ? `user:${user.id}` : `login:${body.login.toLowerCase()}`;
    const wait = await this.#signInDelay(account, ip, user, client, now);
    if (wait > 0) {
      // Refused without looking at the password, so waiting is the only way to guess again.
      throw rateLimited('Too many failed sign-ins for this account; wait and try again', wait);
    }
    let ok = false;
    if (user?.passwordHash) {
      ok = await this.hasher.verify(body.password, user.passwordHash);
    } else {
      // The same work as a real check, so the answer time does not tell which accounts exist.
      await this.hasher.verifyDummy(body.password);
    }
    if (!user || !ok) {
      const failures = this.#failures.get(account);
      const count = failures && now - failures.lastAt <= FAILURE_MEMORY_MS ? failures.count + 1 : 1;
      this.#failures.set(account, { count, lastAt: now });
      this.#failedFrom.set(`${account}|${ip}`, now);
      const fresh = !captchaFailures || now - captchaFailures.lastAt > FAILURE_MEMORY_MS;
      this.#captchaFailures.set(captchaKey, { count: fresh ? 1 : captchaFailures.count + 1, lastAt: now });
      // One message for both cases, so sign-in cannot be used to probe which accounts exist.
      throw new AppError('INVALID_CREDENTIALS', 'Wrong username/email or password');
    }
    // After the password checked out, so the answer tells nothing to someone who does not know it.
    assertActive(user);
    this.#failures.delete(account);
    this.#failedFrom.delete(`${account}|${ip}`);
    this.#captchaFailures.delete(captchaKey);
    return { user: toUserDto(user), token: await this.createSession(user.id, client) };
  }

  /**
   * How long this attempt must wait: 0 while the account has fewer than signInMaxFailuresPerAccount recent
   * failures, then 1 s after the last failure, doubling per failure up to 15 min. Not for an address that
   * has not failed on this account (fresh) or that the account has a session from (a known device), so an
   * attacker slows down only their own attempts, not the owner's (docs/architecture.md#sign-in-throttling).
   */
  async #signInDelay(
    account: string,
    ip: string,
    user: UserEntity | null,
    client: ClientInfo,
    now: number,
  ): Promise<number> {
    const failures = this.#failures.get(account);
    const free = this.options.signInMaxFailuresPerAccount;
    if (!failures || now - failures.lastAt > FAILURE_MEMORY_MS || failures.count < free) {
      return 0;
    }
    const delay = Math.min(DELAY_BASE_MS * 2 ** Math.min(failures.count - free, 30), DELAY_MAX_MS);
    const wait = failures.lastAt + delay - now;
    if (wait <= 0) {
      return 0;
    }
    const failedHereAt = this.#failedFrom.get(`${account}|${ip}`);
    if (failedHereAt === undefined || now - failedHereAt > FAILURE_MEMORY_MS) {
      return 0;
    }
    if (user && client.ip && (await this.sessions.existsForUserFromIp(user.id, client.ip.slice(0, 45)))) {
      return 0;
    }
    return wait;
  }

  /** Revokes the session; its open sockets (every tab of it) get session.ended and close with 4001. */
  async signOut(token: string): Promise<void> {
    const sessionId = await this.sessions.deleteByTokenHash(hashToken(token));
    if (sessionId !== null) {
      await this.events.emit('session.ended', { sessionIds: [sessionId], reason: 'signed-out' });
    }
  }

  /** "Sign out everywhere": ends every session of the user (but `keepSessionId`), sockets on every instance. */
  async signOutAll(userId: number, keepSessionId?: number): Promise<number> {
    const ended = await this.sessions.deleteAllOfUser(userId, keepSessionId);
    if (ended.length > 0) {
      this.#logger.info({ user: userId, sessions: ended.length }, 'signed out everywhere');
      await this.events.emit('session.ended', { sessionIds: ended, reason: 'signed-out' });
    }
    return ended.length;
  }

  /**
   * Of these sessions (of open sockets), the ones deleted or past their TTL. The others count as used:
   * an open socket is use, so a session is touched about once per SOCKET_TOUCH_AFTER_MS while one is open.
   */
  async endedSessions(ids: number[]): Promise<Set<number>> {
    const now = this.clock();
    const lastUsed = await this.sessions.lastUsedOf(ids);
    const ended = new Set<number>();
    const stale: number[] = [];
    for (const id of ids) {
      const at = lastUsed.get(id);
      if (at === undefined || at + this.options.sessionTtlMs < now) {
        ended.add(id);
      } else if (now - at > SOCKET_TOUCH_AFTER_MS) {
        stale.push(id);
      }
    }
    if (stale.length > 0) {
      await this.sessions.touchMany(stale, now);
    }
    return ended;
  }

  /** The user behind a session token, or null when unknown or expired. */
  async authenticate(token: string): Promise<{ user: UserEntity; sessionId: number } | null> {
    if (token.length < 20 || token.length > 128) {
      return null;
    }
    return this.#check(await this.sessions.findWithUser(hashToken(token)), TOUCH_AFTER_MS);
  }

  /**
   * As `authenticate`, for a socket's connect: the user's settings come in the same statement (session.ready
   * sends them), and the session is written back only when unused for SOCKET_TOUCH_AFTER_MS. `settings` is null
   * if the user has no settings row.
   */
  async authenticateWithSettings(
    token: string,
  ): Promise<{ user: UserEntity; sessionId: number; settings: UserSettingsEntity | null } | null> {
    if (token.length < 20 || token.length > 128) {
      return null;
    }
    const found = await this.sessions.findWithUserAndSettings(hashToken(token));
    // A socket keeps its session alive through endedSessions' hourly batched touch: a reconnect storm after a
    // restart (every session older than a minute) then costs no UPDATE per socket.
    const session = await this.#check(found, SOCKET_TOUCH_AFTER_MS);
    return session && found ? { ...session, settings: found.settings } : null;
  }

  async #check(
    found: { session: SessionEntity; user: UserEntity } | null,
    touchAfterMs: number,
  ): Promise<{ user: UserEntity; sessionId: number } | null> {
    if (!found) {
      return null;
    }
    const now = this.clock();
    // Deactivation deletes the sessions; this covers one made in the same instant (a sign-in racing it).
    if (found.session.lastUsedAt + this.options.sessionTtlMs < now || found.user.deactivatedAt !== null) {
      await this.sessions.deleteByTokenHash(found.session.tokenHash);
      return null;
    }
    if (now - found.session.lastUsedAt > touchAfterMs) {
      await this.sessions.touch(found.session.id, now);
    }
    return { user: found.user, sessionId: found.session.id };
  }

  private async createSession(userId: number, client: ClientInfo): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    await this.sessions.create({
      userId,
      tokenHash: hashToken(token),
      createdAt: now,
      lastUsedAt: now,
      userAgent: client.userAgent?.slice(0, 255) ?? null,
      ip: client.ip?.slice(0, 45) ?? null,
    });
    return token;
  }
}
