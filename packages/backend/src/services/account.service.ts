import { randomBytes } from 'node:crypto';
import type { ChangeEmailResponse } from '@pychat/protocol';
import type { UserEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';
import {
  emailChangeNoticeMail,
  passwordChangedMail,
  resetPasswordMail,
  verifyEmailMail,
  type Requester,
} from '../mail/templates';
import type { AccountTokenRepository, AccountTokenKind } from '../repositories/account-token.repository';
import { DuplicateUserError, type UserRepository } from '../repositories/user.repository';
import { hashToken, ipKey, type ClientInfo } from './auth.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';
import { assertPasswordAllowed, type PasswordHasher } from './password';
import type { CaptchaService } from './captcha.service';
import { RateLimiter } from './rate-limiter';

export interface AccountOptions {
  /** PYCHAT_PUBLIC_URL without a trailing slash: the links in mails (never the request's Host header). */
  publicUrl: string | null;
  /** Password-reset requests per IP (IPv6: per /64) per hour. */
  resetMaxPerIp: number;
  /** PYCHAT_CAPTCHA: forgot-password requests need a solved captcha. */
  captcha?: CaptchaService;
}

/** A reset link is a key to the account: short-lived. */
export const RESET_TTL_MS = 60 * 60_000;
export const VERIFY_TTL_MS = 48 * 60 * 60_000;
const RESET_WINDOW_MS = 60 * 60_000;
/** Reset mails to one account per hour, whoever asks: the form cannot be used to flood someone's inbox. */
const RESET_MAILS_PER_ACCOUNT = 3;
/** Wrong current passwords per account per 15 minutes on the change forms (a stolen session cannot guess on). */
const WRONG_PASSWORD_MAX = 5;
const WRONG_PASSWORD_WINDOW_MS = 15 * 60_000;

function invalidToken(): AppError {
  return new AppError('INVALID_TOKEN', 'This link is invalid, used already or expired; ask for a new one');
}

/**
 * The account's email flows: verification, forgot password, change of password and of email. Mails are queued
 * (Mailer.send returns at once); tokens are random 256-bit strings stored as SHA-256, deleted when used.
 */
export class AccountService {
  readonly #resetPerIp: RateLimiter;
  readonly #resetPerAccount = new RateLimiter(RESET_MAILS_PER_ACCOUNT, RESET_WINDOW_MS);
  readonly #wrongPassword = new RateLimiter(WRONG_PASSWORD_MAX, WRONG_PASSWORD_WINDOW_MS);
  readonly #logger: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: AccountTokenRepository,
    private readonly events: DomainEventBus,
    private readonly mailer: Mailer,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    logger: Logger,
    private readonly options: AccountOptions,
  ) {
    this.#resetPerIp = new RateLimiter(options.resetMaxPerIp, RESET_WINDOW_MS);
    this.#logger = logger.child({ ctx: 'AccountService' });
  }

  get mailEnabled(): boolean {
    return this.mailer.enabled;
  }

  /** A new account with an email gets a verification mail. */
  register(events: DomainEventBus): void {
    events.on('user.created', async ({ user }) => {
      if (this.mailer.enabled) {
        await this.sendVerification(user.id, false);
      }
    });
  }

  /**
   * Mails a link proving the account's current address (`strict`: errors instead of doing nothing, for the
   * "send again" button).
   */
  async sendVerification(userId: number, strict = true): Promise<void> {
    this.#requireMail();
    const user = await this.users.findById(userId);
    if (!user?.email || user.emailVerified) {
      if (strict) {
        throw new AppError('INVALID_OPERATION', user?.email ? 'The email is verified already' : 'No email to verify');
      }
      return;
    }
    const url = await this.#link(user.id, 'verify', user.email, VERIFY_TTL_MS, '/verify-email');
    this.mailer.send(verifyEmailMail(user.email, user.username, url, VERIFY_TTL_MS / 3_600_000));
  }

  /**
   * Forgot password: the answer never depends on the account (no error for unknown logins, and the lookup,
   * token and mail happen after the answer, so its timing tells nothing either). Only the rate limit per
   * address answers differently, and it counts every request alike.
   */
  async requestPasswordReset(login: string, client: ClientInfo, captcha?: string): Promise<void> {
    this.#requireMail();
    const now = this.clock();
    const ip = ipKey(client.ip);
    const wait = this.#resetPerIp.retryAfterMs(ip, now);
    if (wait > 0) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many password resets asked from this address; try later',
        undefined,
        wait,
      );
    }
    this.#resetPerIp.hit(ip, now);
    await this.options.captcha?.verify(captcha, client.ip);
    void this.#mailReset(login, { ip: client.ip, userAgent: client.userAgent, at: now }).catch((error: unknown) =>
      this.#logger.warn({ err: error }, 'password reset mail not prepared'),
    );
  }

  async #mailReset(login: string, by: Requester): Promise<void> {
    const user = login.includes('@') ? await this.users.findByEmail(login) : await this.users.findByUsername(login);
    if (!user?.email) {
      this.#logger.info('password reset asked for an unknown login or an account without email');
      return;
    }
    const key = `user:${user.id}`;
    if (!this.#resetPerAccount.allows(key, by.at)) {
      this.#logger.warn({ user: user.id }, 'password reset mails to this account paused (too many this hour)');
      return;
    }
    this.#resetPerAccount.hit(key, by.at);
    const url = await this.#link(user.id, 'reset', null, RESET_TTL_MS, '/reset-password');
    this.mailer.send(resetPasswordMail(user.email, user.username, url, RESET_TTL_MS / 60_000, by));
  }

  /** Sets the password from a reset link; every session of the account ends (sockets close with 4001). */
  async confirmPasswordReset(token: string, password: string, client: ClientInfo): Promise<void> {
    assertPasswordAllowed(password);
    const found = await this.#consume('reset', token);
    const user = await this.users.findById(found.userId);
    if (!user) {
      throw invalidToken();
    }
    const ended = await this.users.replacePassword(user.id, await this.hasher.hash(password));
    this.#logger.info({ user: user.id, sessions: ended.length }, 'password reset by mail link');
    if (ended.length > 0) {
      await this.events.emit('session.ended', { sessionIds: ended, reason: 'password-reset' });
    }
    this.#notifyPasswordChanged(user, client);
  }

  /** Needs the current password; every other session of mine ends. Returns how many ended. */
  async changePassword(
    userId: number,
    sessionId: number,
    current: string,
    next: string,
    client: ClientInfo,
  ): Promise<number> {
    assertPasswordAllowed(next);
    const user = await this.#checkPassword(userId, current);
    const ended = await this.users.replacePassword(user.id, await this.hasher.hash(next), sessionId);
    this.#logger.info({ user: user.id, sessions: ended.length }, 'password changed');
    if (ended.length > 0) {
      await this.events.emit('session.ended', { sessionIds: ended, reason: 'password-reset' });
    }
    this.#notifyPasswordChanged(user, client);
    return ended.length;
  }

  /**
   * Needs the password. With mail: the new address gets a link and the old one a notice; the address changes
   * when the link is opened. Without mail: it changes now, unverified (nothing could verify it).
   */
  async changeEmail(userId: number, password: string, email: string, client: ClientInfo): Promise<ChangeEmailResponse> {
    const user = await this.#checkPassword(userId, password);
    const holder = await this.users.findByEmail(email);
    if (holder && holder.id !== userId) {
      throw new AppError('EMAIL_TAKEN', `Email "${email}" is already used by another account`);
    }
    if (!this.mailer.enabled) {
      await this.#setEmail(userId, email, false);
      return { email, pendingEmail: null };
    }
    const url = await this.#link(userId, 'verify', email, VERIFY_TTL_MS, '/verify-email');
    this.mailer.send(verifyEmailMail(email, user.username, url, VERIFY_TTL_MS / 3_600_000));
    if (user.email && user.email.toLowerCase() !== email.toLowerCase()) {
      const by = { ip: client.ip, userAgent: client.userAgent, at: this.clock() };
      this.mailer.send(emailChangeNoticeMail(user.email, user.username, email, by));
    }
    this.#logger.info({ user: userId }, 'email change asked; waiting for the link');
    return { email: user.email, pendingEmail: email };
  }

  /** Opens a verification link: the address it was sent to becomes the account's, verified. */
  async verifyEmail(token: string): Promise<{ email: string }> {
    const found = await this.#consume('verify', token);
    if (!found.email) {
      throw invalidToken();
    }
    await this.#setEmail(found.userId, found.email, true);
    this.#logger.info({ user: found.userId }, 'email verified');
    return { email: found.email };
  }

  #notifyPasswordChanged(user: UserEntity, client: ClientInfo): void {
    if (this.mailer.enabled && user.email) {
      const by = { ip: client.ip, userAgent: client.userAgent, at: this.clock() };
      this.mailer.send(passwordChangedMail(user.email, user.username, by));
    }
  }

  async #setEmail(userId: number, email: string, verified: boolean): Promise<void> {
    try {
      await this.users.setEmail(userId, email, verified);
    } catch (error) {
      if (error instanceof DuplicateUserError) {
        throw new AppError('EMAIL_TAKEN', `Email "${email}" is already used by another account`);
      }
      throw error;
    }
  }

  async #checkPassword(userId: number, password: string): Promise<UserEntity> {
    const now = this.clock();
    const key = `user:${userId}`;
    const wait = this.#wrongPassword.retryAfterMs(key, now);
    if (wait > 0) {
      throw new AppError('RATE_LIMITED', 'Too many wrong passwords; wait and try again', undefined, wait);
    }
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    }
    if (!user.passwordHash || !(await this.hasher.verify(password, user.passwordHash))) {
      this.#wrongPassword.hit(key, now);
      throw new AppError('WRONG_PASSWORD', 'The current password is wrong');
    }
    return user;
  }

  /** A fresh token of this kind for the user (earlier ones stop working) and the page URL that carries it. */
  async #link(userId: number, kind: AccountTokenKind, email: string | null, ttlMs: number, path: string) {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    await this.tokens.replace({
      userId,
      kind,
      email,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: now + ttlMs,
    });
    return `${this.options.publicUrl ?? ''}${path}?token=${token}`;
  }

  async #consume(kind: AccountTokenKind, token: string) {
    const found = await this.tokens.consume(kind, hashToken(token));
    if (!found || found.expiresAt <= this.clock()) {
      throw invalidToken();
    }
    return found;
  }

  #requireMail(): void {
    if (!this.mailer.enabled) {
      throw new AppError('MAIL_DISABLED', 'This server sends no mail (PYCHAT_SMTP_URL is not set)');
    }
  }
}
