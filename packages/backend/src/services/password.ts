import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import { LIMITS } from '@pychat/protocol';
import { AppError } from '../errors';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's scrypt row with 16 MiB per hash (N=2^14, r=8, p=5: the same work as N=2^17, p=1, an eighth of the
 * memory). Measured in docs/architecture.md#passwords: ~150-200 ms here, ~0.6-1 s on a Raspberry Pi 4.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16_384, r: 8, p: 5 };
/** Hashes at once: each holds 128·N·r bytes, so this bounds hashing memory to 32 MiB. */
const DEFAULT_CONCURRENCY = 2;
/** Callers waiting for a slot beyond this get RATE_LIMITED instead of an ever longer queue. */
const MAX_WAITING = 100;
const KEY_LENGTH = 32;

/** Common passwords long enough to pass the length rule (zxcvbn's list, lower-cased). */
const COMMON = new Set(
  dictionary['passwords-common'].filter((p) => p.length >= LIMITS.passwordMinLength).map((p) => p.toLowerCase()),
);

/** Null when `password` may be set, else why not. Length and spaces are checked by the protocol schema. */
export function passwordProblem(password: string): string | null {
  return COMMON.has(password.toLowerCase()) ? 'Password: too common, choose another one' : null;
}

/** Throws VALIDATION_FAILED (issue on `password`) for a password that must not be set. */
export function assertPasswordAllowed(password: string): void {
  const problem = passwordProblem(password);
  if (problem) {
    throw new AppError('VALIDATION_FAILED', problem, [{ path: 'password', message: problem }]);
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 + 128 * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function parse(stored: string): (ScryptParams & { salt: Buffer; hash: Buffer }) | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) {
    return null;
  }
  return {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
}

/**
 * scrypt (memory-hard, in Node's crypto, no native addon) behind a small semaphore: parallel sign-ups or
 * sign-ins cannot hold more than `concurrency` hashes' memory at once (a Pi has little to spare).
 * Stored as `scrypt$N$r$p$salt$hash`, so old hashes keep verifying after the parameters change.
 */
export class PasswordHasher {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #dummy: Promise<string> | undefined;

  constructor(
    readonly params: ScryptParams = DEFAULT_SCRYPT,
    private readonly concurrency = DEFAULT_CONCURRENCY,
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p } = this.params;
    const key = await this.#limited(() => derive(password, salt, this.params));
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) {
      return false;
    }
    const key = await this.#limited(() => derive(password, parsed.salt, parsed));
    return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  }

  /** The same work as verify() against a real hash, for logins that match nobody (no timing oracle). */
  async verifyDummy(password: string): Promise<void> {
    this.#dummy ??= this.hash(randomBytes(16).toString('base64url'));
    await this.verify(password, await this.#dummy);
  }

  /** True when `stored` was made with other parameters than today's (rehash it after a good sign-in). */
  isOutdated(stored: string): boolean {
    const parsed = parse(stored);
    return !parsed || parsed.N !== this.params.N || parsed.r !== this.params.r || parsed.p !== this.params.p;
  }

  /** Hashes running now (for tests and metrics). */
  get running(): number {
    return this.#running;
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= MAX_WAITING) {
        throw new AppError(
          'RATE_LIMITED',
          'The server is busy checking passwords; try again in a moment',
          undefined,
          1000,
        );
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) {
        next(); // the slot passes on: #running stays the same
      } else {
        this.#running -= 1;
      }
    }
  }
}

const defaultHasher = new PasswordHasher();

export function hashPassword(password: string): Promise<string> {
  return defaultHasher.hash(password);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return defaultHasher.verify(password, stored);
}
