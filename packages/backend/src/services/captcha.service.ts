import { randomBytes } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { BoundedMap } from './rate-limiter';

export type CaptchaConfig =
  | { kind: 'altcha'; hmacKey: string | null; maxNumber: number }
  | { kind: 'recaptcha'; siteKey: string; secret: string; verifyUrl: string }
  | null;

/** What GET /api/auth/session tells the forms (features.captcha). */
export type CaptchaFeature = { kind: 'altcha' } | { kind: 'recaptcha'; siteKey: string } | null;

/** A solved ALTCHA challenge is refused after this long (and is remembered as used until then). */
const ALTCHA_TTL_MS = 10 * 60_000;
const RECAPTCHA_TIMEOUT_MS = 10_000;

/**
 * The captcha of sign-up, password reset and repeated failed sign-ins (PYCHAT_CAPTCHA). ALTCHA is a proof of
 * work the browser solves and this process checks alone (HMAC-signed challenges, no third party); reCAPTCHA v2
 * asks Google's siteverify (or PYCHAT_RECAPTCHA_VERIFY_URL). Off: every check passes.
 */
export class CaptchaService {
  readonly #hmacSecret: string;
  readonly #hmacKeySecret: string;
  /** Nonces of ALTCHA solutions already accepted, until they expire: one solution buys one request. */
  readonly #used = new BoundedMap<number>();
  readonly #logger: Logger;

  constructor(
    private readonly config: CaptchaConfig,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    // Without PYCHAT_ALTCHA_HMAC_KEY a key per process: fine for one instance (a restart only voids open challenges).
    const key = config?.kind === 'altcha' && config.hmacKey ? config.hmacKey : randomBytes(32).toString('hex');
    this.#hmacSecret = `${key}:challenge`;
    this.#hmacKeySecret = `${key}:key`;
    this.#logger = logger.child({ ctx: 'CaptchaService' });
  }

  get feature(): CaptchaFeature {
    if (this.config?.kind === 'altcha') {
      return { kind: 'altcha' };
    }
    if (this.config?.kind === 'recaptcha') {
      return { kind: 'recaptcha', siteKey: this.config.siteKey };
    }
    return null;
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  /** A signed ALTCHA challenge (GET /api/auth/captcha/altcha); NOT_FOUND unless ALTCHA is configured. */
  async altchaChallenge(): Promise<Challenge> {
    if (this.config?.kind !== 'altcha') {
      throw new AppError('NOT_FOUND', 'ALTCHA is not configured on this server');
    }
    return createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      // Deterministic mode: the answer is known (and signed) here, so checking costs one HMAC, not a search.
      counter: randomInt(Math.ceil(this.config.maxNumber / 2), this.config.maxNumber),
      deriveKey,
      expiresAt: new Date(this.now() + ALTCHA_TTL_MS),
      hmacSignatureSecret: this.#hmacSecret,
      hmacKeySignatureSecret: this.#hmacKeySecret,
    });
  }

  /** Throws CAPTCHA_REQUIRED without a response and CAPTCHA_FAILED for one that does not verify; off: passes. */
  async verify(response: string | undefined, ip: string | null): Promise<void> {
    if (this.config === null) {
      return;
    }
    if (!response) {
      throw new AppError('CAPTCHA_REQUIRED', 'Solve the captcha first');
    }
    const ok =
      this.config.kind === 'altcha'
        ? await this.#verifyAltcha(response)
        : await this.#verifyRecaptcha(this.config, response, ip);
    if (!ok) {
      throw new AppError('CAPTCHA_FAILED', 'The captcha did not check out; solve it again');
    }
  }

  async #verifyAltcha(response: string): Promise<boolean> {
    let payload: { challenge?: Challenge; solution?: Solution };
    try {
      payload = JSON.parse(Buffer.from(response, 'base64').toString('utf8')) as typeof payload;
    } catch {
      return false;
    }
    const { challenge, solution } = payload;
    if (!challenge?.parameters || typeof challenge.parameters.nonce !== 'string' || !solution) {
      return false;
    }
    const now = this.now();
    const nonce = challenge.parameters.nonce;
    const usedUntil = this.#used.get(nonce);
    if (usedUntil !== undefined && usedUntil > now) {
      return false;
    }
    let verified: boolean;
    try {
      verified = (
        await verifySolution({
          challenge,
          solution,
          deriveKey,
          hmacSignatureSecret: this.#hmacSecret,
          hmacKeySignatureSecret: this.#hmacKeySecret,
        })
      ).verified;
    } catch {
      return false;
    }
    if (verified) {
      this.#used.set(nonce, now + ALTCHA_TTL_MS);
    }
    return verified;
  }

  async #verifyRecaptcha(
    config: Extract<CaptchaConfig, { kind: 'recaptcha' }>,
    response: string,
    ip: string | null,
  ): Promise<boolean> {
    const form = new URLSearchParams({ secret: config.secret, response, ...(ip ? { remoteip: ip } : {}) });
    let answer: Response;
    try {
      answer = await fetch(config.verifyUrl, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(RECAPTCHA_TIMEOUT_MS),
      });
    } catch (error) {
      this.#logger.warn({ err: error }, 'reCAPTCHA verification did not answer');
      throw new AppError('UNAVAILABLE', 'The captcha service did not answer; try again');
    }
    if (!answer.ok) {
      this.#logger.warn({ status: answer.status }, 'reCAPTCHA verification answered an error');
      throw new AppError('UNAVAILABLE', 'The captcha service did not answer; try again');
    }
    const body = (await answer.json().catch(() => null)) as { success?: unknown } | null;
    return body?.success === true;
  }
}
