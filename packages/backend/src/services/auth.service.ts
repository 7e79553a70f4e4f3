import { createHash, randomBytes } from 'node:crypto';
import { ALL_ROOM_ID, type AuthResponse, type SignInBody, type SignUpBody } from '@pychat/protocol';
import type { UserEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { SessionRepository } from '../repositories/session.repository';
import type { UserRepository } from '../repositories/user.repository';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import { hashPassword, verifyPassword } from './password';
import { RateLimiter } from './rate-limiter';
import { toUserDto } from './user.service';

export interface AuthOptions {
  signInMaxPerIp: number;
  signInMaxFailuresPerAccount: number;
  sessionTtlMs: number;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Sessions are only written back when used again after this long, so reads stay reads. */
const TOUCH_AFTER_MS = 60_000;
/** Sessions kept alive by an open socket only are written back this often (see endedSessions). */
const SOCKET_TOUCH_AFTER_MS = 3_600_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT';
}

export class AuthService {
  readonly #perIp: RateLimiter;
  readonly #perAccount: RateLimiter;
  readonly #logger: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly events: DomainEventBus,
    private readonly options: AuthOptions,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.#perIp = new RateLimiter(options.signInMaxPerIp, 5 * 60_000);
    this.#perAccount = new RateLimiter(options.signInMaxFailuresPerAccount, 15 * 60_000);
    this.#logger = logger.child({ ctx: 'AuthService' });
  }

  async usernameAvailable(username: string): Promise<boolean> {
    return (await this.users.findByUsername(username)) === null;
  }

  async emailAvailable(email: string): Promise<boolean> {
    return (await this.users.findByEmail(email)) === null;
  }

  /** Creates the account, joins it to the "all" room and signs it in. */
  async signUp(body: SignUpBody, client: ClientInfo): Promise<AuthResponse> {
    if (!(await this.usernameAvailable(body.username))) {
      throw new AppError('USERNAME_TAKEN', `Username "${body.username}" is already taken`);
    }
    if (body.email && !(await this.emailAvailable(body.email))) {
      throw new AppError('EMAIL_TAKEN', `Email "${body.email}" is already used by another account`);
    }
    const passwordHash = await hashPassword(body.password);
    let user: UserEntity;
    try {
      user = await this.users.createWithRoom(
        { username: body.username, email: body.email ?? null, passwordHash, sex: body.sex ?? 'secret' },
        ALL_ROOM_ID,
        this.clock(),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Lost a race with a concurrent sign-up of the same name.
        throw new AppError('USERNAME_TAKEN', `Username "${body.username}" is already taken`);
      }
      throw error;
    }
    this.#logger.info({ user: user.id }, 'signed up');
    await this.events.emit('user.created', { user: toUserDto(user) });
    return { user: toUserDto(user), token: await this.createSession(user.id, client) };
  }

  async signIn(body: SignInBody, client: ClientInfo): Promise<AuthResponse> {
    const now = this.clock();
    const ipKey = client.ip ?? 'unknown';
    const rateLimited = () =>
      new AppError('RATE_LIMITED', 'Too many sign-in attempts; wait a few minutes and try again');
    if (!this.#perIp.allows(ipKey, now)) {
      throw rateLimited();
    }
    const user = body.login.includes('@')
      ? await this.users.findByEmail(body.login)
      : await this.users.findByUsername(body.login);
    // Failures count per account whichever of its names was typed, so username and email do not each
    // get a full guessing budget; a login that matches nobody is counted by its text.
    const accountKey = user ? `user:${user.id}` : `login:${body.login.toLowerCase()}`;
    if (!this.#perAccount.allows(accountKey, now)) {
      throw rateLimited();
    }
    this.#perIp.hit(ipKey, now);
    const ok = user?.passwordHash ? await verifyPassword(body.password, user.passwordHash) : false;
    if (!user || !ok) {
      this.#perAccount.hit(accountKey, now);
      // One message for both cases, so sign-in cannot be used to probe which accounts exist.
      throw new AppError('INVALID_CREDENTIALS', 'Wrong username/email or password');
    }
    this.#perAccount.reset(accountKey);
    return { user: toUserDto(user), token: await this.createSession(user.id, client) };
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
    const found = await this.sessions.findWithUser(hashToken(token));
    if (!found) {
      return null;
    }
    const now = this.clock();
    if (found.session.lastUsedAt + this.options.sessionTtlMs < now) {
      await this.sessions.deleteByTokenHash(found.session.tokenHash);
      return null;
    }
    if (now - found.session.lastUsedAt > TOUCH_AFTER_MS) {
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
