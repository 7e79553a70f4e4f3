import type { LinkedIdentitiesResponse, SessionResponse } from '@pychat/protocol';
import { freePort } from '@pychat/testkit';
import { afterAll, beforeAll } from 'vitest';
import { api, createBackend, startServer, TEST_PASSWORD, type SharedBackend, type TestServer } from './harness';
import type { Browser } from './redirect-browser';

/**
 * A server behind an identity provider's stand-in, for the enclosing describe block (`name`: the provider's path
 * under /api/auth). The provider must know the callback before the server starts, so the port is picked first and
 * PYCHAT_PUBLIC_URL names it. `env`: the server's PYCHAT_* settings for that provider.
 */
export function useProviderServer<Provider extends { close(): Promise<void> }>(
  name: 'facebook' | 'oidc',
  startProvider: (callbackUrl: string) => Promise<Provider>,
  env: (provider: Provider) => Record<string, string>,
) {
  let backend: SharedBackend;
  let server: TestServer;
  let provider: Provider;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    provider = await startProvider(`${publicUrl}/api/auth/${name}/callback`);
    backend = await createBackend();
    server = await startServer(backend, { PYCHAT_PORT: String(port), PYCHAT_PUBLIC_URL: publicUrl, ...env(provider) });
  });
  afterAll(async () => {
    await server?.stop();
    await backend?.drop();
    await provider?.close();
  });

  return {
    get server(): TestServer {
      return server;
    },
    get provider(): Provider {
      return provider;
    },
    get publicUrl(): string {
      return publicUrl;
    },
    /** The user the browser's session cookie signs in (null: none). */
    async session(browser: Browser) {
      const token = browser.cookie(publicUrl, 'pychat_session');
      return (await api<SessionResponse>(server, 'GET', '/api/auth/session', undefined, token)).body.user;
    },
    /** A password account, made through the sign-up form's request. */
    signUp(body: { username: string; email?: string }) {
      return api<{ user: { id: number }; token: string }>(server, 'POST', '/api/auth/sign-up', {
        ...body,
        password: TEST_PASSWORD,
      });
    },
    /** The identities of this provider linked to the account of `token`. */
    identities(token: string | undefined) {
      return api<LinkedIdentitiesResponse>(server, 'GET', `/api/auth/${name}/identities`, undefined, token);
    },
  };
}
