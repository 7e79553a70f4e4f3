import { createHmac, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';

/** What the provider says about the person, after the code, state, nonce and ID token checked out. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  /** Only a verified email (`email_verified: true`): an unverified one proves nothing about the address. */
  email: string | null;
  preferredUsername: string | null;
}

/** What a sign-in started with, kept in the signed flow cookie until the provider sends the user back. */
export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** `link`: the identity is added to `userId` (the session that started it must still be that user). */
  mode: 'sign-in' | 'link';
  userId: number | null;
  expiresAt: number;
}

export class OidcFlowError extends Error {}

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Plain HTTP to the provider: only for a provider on loopback (config.ts refuses others). */
  insecure: boolean;
}

/**
 * The OpenID Connect relying party (openid-client): authorization code flow with PKCE (S256), state and nonce.
 * The provider's metadata is discovered on first use and kept; a failed discovery is retried next time.
 */
export class OidcClient {
  #config: Promise<client.Configuration> | null = null;

  constructor(private readonly options: OidcClientOptions) {}

  get issuer(): string {
    return this.options.issuer;
  }

  #configuration(): Promise<client.Configuration> {
    this.#config ??= client
      .discovery(
        new URL(this.options.issuer),
        this.options.clientId,
        { redirect_uris: [this.options.redirectUri] },
        client.ClientSecretBasic(this.options.clientSecret),
        this.options.insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.#config = null;
        throw error;
      });
    return this.#config;
  }

  /** A new flow (its secrets) and the provider URL to send the browser to. */
  async start(mode: OidcFlow['mode'], userId: number | null, now: number): Promise<{ url: string; flow: OidcFlow }> {
    const config = await this.#configuration();
    const flow: OidcFlow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      mode,
      userId,
      expiresAt: now + FLOW_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid email profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
      // Linking asks again, so the person at the keyboard proves they own the provider account now.
      ...(mode === 'link' ? { prompt: 'login' } : {}),
    });
    return { url: url.href, flow };
  }

  /**
   * Checks the provider's answer (`callbackUrl`: the redirect URI with its query) against the flow, trades the
   * code for tokens and returns the claims. Throws openid-client's errors on any mismatch.
   */
  async finish(callbackUrl: URL, flow: OidcFlow): Promise<OidcClaims> {
    const config = await this.#configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) {
      throw new OidcFlowError('no ID token');
    }
    let claims: Record<string, unknown> = idToken;
    // Providers that keep scope claims out of the ID token (oidc-provider's default) give them at userinfo.
    if (idToken.email === undefined && config.serverMetadata().userinfo_endpoint) {
      claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
    }
    const email = typeof claims.email === 'string' && claims.email_verified === true ? claims.email : null;
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      email,
      preferredUsername: typeof claims.preferred_username === 'string' ? claims.preferred_username : null,
    };
  }
}

/** How long a started sign-in may take at the provider. */
const FLOW_TTL_MS = 10 * 60_000;

/**
 * The flow travels in an httpOnly cookie, HMAC-signed with a key derived from the client secret, so any
 * instance can check it and nobody without the secret can make one. It holds the PKCE verifier: the cookie is
 * scoped to the callback path and lives 10 minutes.
 */
export class OidcFlowCodec {
  readonly #key: Buffer;

  constructor(clientSecret: string) {
    this.#key = createHmac('sha256', 'pychat-oidc-flow').update(clientSecret).digest();
  }

  encode(flow: OidcFlow): string {
    const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  /** The flow, or null when the cookie is missing, forged, tampered with or expired. */
  decode(value: string | undefined, now: number): OidcFlow | null {
    const [body, mac, extra] = value?.split('.') ?? [];
    if (!body || !mac || extra !== undefined) {
      return null;
    }
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return null;
    }
    try {
      const flow = JSON.parse(Buffer.from(body, 'base64url').toString()) as OidcFlow;
      return typeof flow.expiresAt === 'number' && flow.expiresAt > now ? flow : null;
    } catch {
      return null;
    }
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
