import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration } from 'oidc-provider';

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
}

export interface OidcStandIn {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject. */
  accounts: Map<string, ProviderAccount>;
  /** Who "types their password" at the provider's next login prompt. */
  loginAs(subject: string): void;
  /**
   * While on, the provider's redirects back to the client carry `state=forged` instead of the client's state
   * (a forged or swapped answer, as Chromium cannot route the hops of a redirect chain).
   */
  forgeState(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on loopback with one confidential client; PKCE, state, nonce,
 * signed ID tokens and userinfo are the library's. `interactive: false` (medium tests): its login and consent
 * steps are answered at once for the account given to loginAs, so plain HTTP redirects drive the flow.
 * `interactive: true` (Chromium): the library's own login form (any password; the login is the subject) and
 * consent page.
 */
export async function startOidcStandIn(
  redirectUri: string,
  { interactive = false }: { interactive?: boolean } = {},
): Promise<OidcStandIn> {
  // ESM only: a dynamic import keeps this CommonJS package loadable.
  const { default: Provider } = await import('oidc-provider');
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, ProviderAccount>();
  let next: string | null = null;
  let forge = false;
  const clientId = 'pychat-test';
  const clientSecret = 'pychat-test-secret-0123456789abcdef';
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    features: { devInteractions: { enabled: interactive } },
    ...(interactive ? {} : { interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` } }),
    cookies: { keys: ['oidc-stand-in-cookie-key'] },
    // Set, so the library does not warn that its defaults are used.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  handler = (req, res) => {
    if (forge) {
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name, value) => {
        if (name.toLowerCase() === 'location' && typeof value === 'string' && value.startsWith(redirectUri)) {
          const url = new URL(value);
          url.searchParams.set('state', 'forged');
          return setHeader(name, url.href);
        }
        return setHeader(name, value);
      };
    }
    if (interactive || !req.url?.startsWith('/interaction/')) {
      void callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (!next) {
          res.writeHead(400).end('no account to log in as');
          return;
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: next } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session?.accountId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) {
        grant?.addOIDCScope(missing.missingOIDCScope.join(' '));
      }
      if (missing.missingOIDCClaims) {
        grant?.addOIDCClaims(missing.missingOIDCClaims);
      }
      const grantId = await grant?.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  };
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    loginAs: (subject) => {
      next = subject;
    },
    forgeState: (on) => {
      forge = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
