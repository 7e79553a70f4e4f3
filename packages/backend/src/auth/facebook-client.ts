import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OidcFlowError, type OidcClaims, type OidcFlow } from './oidc-client';

/** The issuer stored with Facebook identities in linked_identities (pychat's `facebook_id`). */
export const FACEBOOK_ISSUER = 'https://www.facebook.com';

/** How long a started sign-in may take at Facebook. */
const FLOW_TTL_MS = 10 * 60_000;

export interface FacebookClientOptions {
  appId: string;
  appSecret: string;
  redirectUri: string;
  /** Login dialog, `https://www.facebook.com/v23.0/dialog/oauth` (tests: a local stand-in). */
  dialogUrl: string;
  /** Graph API base, `https://graph.facebook.com/v23.0` (tests: a local stand-in). */
  graphUrl: string;
}

/**
 * Facebook Login (OAuth 2, "manually build a login flow"): the browser goes to the login dialog with a random
 * `state`, comes back with a code, which this server trades (with the app secret) for a token, then reads
 * `/me`. Facebook is not OpenID Connect for web apps, so there is no ID token or nonce: the state (checked
 * against the signed flow cookie) and the server-side code exchange are what bind the answer to this browser.
 */
export class FacebookClient {
  readonly issuer = FACEBOOK_ISSUER;

  constructor(
    private readonly options: FacebookClientOptions,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  start(mode: OidcFlow['mode'], userId: number | null, now: number): Promise<{ url: string; flow: OidcFlow }> {
    const flow: OidcFlow = {
      state: randomBytes(24).toString('base64url'),
      nonce: '',
      codeVerifier: '',
      mode,
      userId,
      expiresAt: now + FLOW_TTL_MS,
    };
    const url = new URL(this.options.dialogUrl);
    url.search = new URLSearchParams({
      client_id: this.options.appId,
      redirect_uri: this.options.redirectUri,
      state: flow.state,
      response_type: 'code',
      scope: 'email,public_profile',
      // Linking asks for the password again, so the person at the keyboard proves they own the account now.
      ...(mode === 'link' ? { auth_type: 'reauthenticate' } : {}),
    }).toString();
    return Promise.resolve({ url: url.href, flow });
  }

  async finish(callbackUrl: URL, flow: OidcFlow): Promise<OidcClaims> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const expected = Buffer.from(flow.state);
    if (state.length !== flow.state.length || !timingSafeEqual(Buffer.from(state), expected)) {
      throw new OidcFlowError('state mismatch');
    }
    const code = callbackUrl.searchParams.get('code');
    if (!code) {
      throw new OidcFlowError(`no code: ${callbackUrl.searchParams.get('error_reason') ?? 'refused'}`);
    }
    const token = await this.#graph<{ access_token?: unknown }>('/oauth/access_token', {
      client_id: this.options.appId,
      client_secret: this.options.appSecret,
      redirect_uri: this.options.redirectUri,
      code,
    });
    if (typeof token.access_token !== 'string') {
      throw new OidcFlowError('no access token');
    }
    // appsecret_proof: the token alone, if it leaked, cannot be used from elsewhere against this app.
    const proof = createHmac('sha256', this.options.appSecret).update(token.access_token).digest('hex');
    const me = await this.#graph<{ id?: unknown; name?: unknown; email?: unknown }>('/me', {
      fields: 'id,name,email',
      access_token: token.access_token,
      appsecret_proof: proof,
    });
    if (typeof me.id !== 'string' || !/^\d{1,30}$/.test(me.id)) {
      throw new OidcFlowError('no user id');
    }
    return {
      issuer: FACEBOOK_ISSUER,
      subject: me.id,
      // Graph returns the primary email only when the person confirmed it, and only with the email permission.
      email: typeof me.email === 'string' ? me.email : null,
      // pychat named Facebook accounts first_last.
      preferredUsername: typeof me.name === 'string' ? me.name.trim().replace(/\s+/g, '_') : null,
    };
  }

  async #graph<T>(path: string, query: Record<string, string>): Promise<T> {
    const url = new URL(`${this.options.graphUrl}${path}`);
    url.search = new URLSearchParams(query).toString();
    const res = await this.fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) {
      throw new OidcFlowError(`graph ${path}: HTTP ${res.status}`);
    }
    return (await res.json()) as T;
  }
}
