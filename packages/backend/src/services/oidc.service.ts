import { LIMITS, type AuthResponse, type LinkedIdentitiesResponse } from '@pychat/protocol';
import type { OidcClaims, OidcClient, OidcFlow } from '../auth/oidc-client';
import type { LinkedIdentityEntity, UserEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { DuplicateIdentityError, type LinkedIdentityRepository } from '../repositories/linked-identity.repository';
import type { UserRepository } from '../repositories/user.repository';
import type { AuthService, ClientInfo } from './auth.service';
import type { Clock } from './clock';

/** What the service needs of a provider: OpenID Connect (`OidcClient`) or Facebook (`FacebookClient`). */
export type IdentityClient = Pick<OidcClient, 'start' | 'finish'>;

export type OidcOutcome = { kind: 'signed-in'; auth: AuthResponse; created: boolean } | { kind: 'linked' };

/** Candidate names tried before falling back to random digits. */
const NUMBERED_TRIES = 8;
const RANDOM_TRIES = 8;

/**
 * The name a first sign-in proposes (pychat took the email's local part): the provider's preferred_username or
 * the email's local part, kept to the username rules (letters, digits, `-`, `_`, at most 16), `user` if
 * nothing is left.
 */
export function usernameBase(claims: Pick<OidcClaims, 'preferredUsername' | 'email'>): string {
  const raw = (claims.preferredUsername ?? claims.email ?? '').split('@')[0] ?? '';
  const max = 16;
  const cleaned = raw
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9_-]/g, '')
    .slice(0, max);
  return cleaned || 'user';
}

/** `base`, `base2`, `base3`…, then `base` + four random digits: each cut to 16 characters. */
export function* usernameCandidates(base: string, random: () => number = Math.random): Generator<string> {
  yield base;
  for (let n = 2; n < 2 + NUMBERED_TRIES; n++) {
    yield base.slice(0, 16 - String(n).length) + n;
  }
  for (let i = 0; i < RANDOM_TRIES; i++) {
    const digits = String(Math.floor(random() * 10_000)).padStart(4, '0');
    yield base.slice(0, 12) + digits;
  }
}

function toIdentityDto(identity: LinkedIdentityEntity): LinkedIdentitiesResponse['identities'][number] {
  return { id: identity.id, issuer: identity.issuer, email: identity.email, createdAt: identity.createdAt };
}

/**
 * Sign-in with an OpenID Connect provider. An identity (issuer, subject) signs in as the account it is linked
 * to. A new one makes a new account, unless its email is already an account's: that account is not taken over
 * (its owner signs in and links in the profile), since a provider's word for an address is not the owner's.
 */
export class OidcService {
  readonly #logger: Logger;

  constructor(
    private readonly client: IdentityClient,
    private readonly identities: LinkedIdentityRepository,
    private readonly users: UserRepository,
    private readonly auth: AuthService,
    private readonly clock: Clock,
    logger: Logger,
    /** The provider's name as users know it (PYCHAT_OIDC_NAME), for messages. */
    readonly name: string,
  ) {
    this.#logger = logger.child({ ctx: 'OidcService' });
  }

  async start(mode: OidcFlow['mode'], userId: number | null): Promise<{ url: string; flow: OidcFlow }> {
    try {
      return await this.client.start(mode, userId, this.clock());
    } catch (error) {
      this.#logger.warn({ err: error }, 'identity provider discovery failed');
      throw new AppError('UNAVAILABLE', `${this.name} cannot be reached; try again later`);
    }
  }

  /**
   * The provider sent the browser back. `flow`: from the signed cookie (null when missing or forged);
   * `sessionUserId`: who the browser is signed in as now.
   */
  async callback(
    callbackUrl: URL,
    flow: OidcFlow | null,
    sessionUserId: number | null,
    client: ClientInfo,
  ): Promise<OidcOutcome> {
    if (!flow) {
      throw new AppError('IDENTITY_FAILED', `Sign-in with ${this.name} expired or was not started here; try again`);
    }
    let claims: OidcClaims;
    try {
      claims = await this.client.finish(callbackUrl, flow);
    } catch (error) {
      // State, nonce, PKCE, ID token signature or audience: any mismatch is the same refusal.
      this.#logger.info({ err: error }, 'identity provider answer refused');
      throw new AppError('IDENTITY_FAILED', `Sign-in with ${this.name} failed; try again`);
    }
    if (flow.mode === 'link') {
      await this.#link(claims, flow, sessionUserId);
      return { kind: 'linked' };
    }
    const linked = await this.identities.find(claims.issuer, claims.subject);
    if (linked) {
      const user = await this.users.findById(linked.userId);
      if (!user) {
        throw new AppError('IDENTITY_FAILED', `Sign-in with ${this.name} failed; try again`);
      }
      return { kind: 'signed-in', auth: await this.auth.startSession(user, client), created: false };
    }
    const user = await this.#createAccount(claims, client);
    try {
      await this.#insert(user.id, claims);
    } catch (error) {
      if (!(error instanceof DuplicateIdentityError)) {
        throw error;
      }
      // A concurrent first sign-in of the same person won: sign in to its account (this one stays unused).
      const winner = await this.identities.find(claims.issuer, claims.subject);
      const account = winner ? await this.users.findById(winner.userId) : null;
      if (!account) {
        throw error;
      }
      return { kind: 'signed-in', auth: await this.auth.startSession(account, client), created: false };
    }
    this.#logger.info({ user: user.id }, 'signed up with identity provider');
    return { kind: 'signed-in', auth: await this.auth.startSession(user, client), created: true };
  }

  async list(user: UserEntity): Promise<LinkedIdentitiesResponse> {
    const identities = await this.identities.listOfUser(user.id);
    return { identities: identities.map(toIdentityDto), hasPassword: user.passwordHash !== null };
  }

  /** Refused when it is the account's last way in (no password, no other identity). */
  async unlink(user: UserEntity, id: number): Promise<void> {
    const identities = await this.identities.listOfUser(user.id);
    if (!identities.some((i) => i.id === id)) {
      throw new AppError('NOT_FOUND', 'No such linked identity on this account');
    }
    if (user.passwordHash === null && identities.length === 1) {
      throw new AppError(
        'LAST_SIGN_IN_METHOD',
        `This is the only way to sign in to this account; set a password before unlinking ${this.name}`,
      );
    }
    await this.identities.delete(user.id, id);
    this.#logger.info({ user: user.id, identity: id }, 'identity unlinked');
  }

  async #link(claims: OidcClaims, flow: OidcFlow, sessionUserId: number | null): Promise<void> {
    // The browser must still be signed in as whoever started linking: a link started by one account and
    // finished in another's browser would attach the identity to the wrong one.
    if (flow.userId === null || flow.userId !== sessionUserId) {
      throw new AppError('IDENTITY_FAILED', 'Linking was started by another session; sign in and link again');
    }
    const existing = await this.identities.find(claims.issuer, claims.subject);
    if (existing?.userId === flow.userId) {
      return;
    }
    const taken = () =>
      new AppError('IDENTITY_IN_USE', `This ${this.name} account is already linked to another Pychat account`);
    if (existing) {
      throw taken();
    }
    try {
      await this.#insert(flow.userId, claims);
    } catch (error) {
      throw error instanceof DuplicateIdentityError ? taken() : error;
    }
    this.#logger.info({ user: flow.userId }, 'identity linked');
  }

  #insert(userId: number, claims: OidcClaims): Promise<LinkedIdentityEntity> {
    return this.identities.insert({
      userId,
      issuer: claims.issuer,
      subject: claims.subject,
      email: claims.email && claims.email.length <= LIMITS.emailMaxLength ? claims.email : null,
      createdAt: this.clock(),
    });
  }

  async #createAccount(claims: OidcClaims, client: ClientInfo): Promise<UserEntity> {
    const email = claims.email && claims.email.length <= LIMITS.emailMaxLength ? claims.email : null;
    const emailTaken = () =>
      new AppError(
        'IDENTITY_EMAIL_TAKEN',
        `An account with the email ${email} exists already: sign in to it, then link ${this.name} in your profile`,
      );
    if (email && (await this.users.findByEmail(email))) {
      throw emailTaken();
    }
    for (const username of usernameCandidates(usernameBase(claims))) {
      if (!(await this.auth.usernameAvailable(username))) {
        continue;
      }
      try {
        return await this.auth.createExternalAccount({ username, email, emailVerified: email !== null }, client);
      } catch (error) {
        if (error instanceof AppError && error.code === 'EMAIL_TAKEN') {
          throw emailTaken();
        }
        if (!(error instanceof AppError && error.code === 'USERNAME_TAKEN')) {
          throw error;
        }
      }
    }
    throw new AppError('USERNAME_TAKEN', 'No free username could be made for this account; try again');
  }
}
