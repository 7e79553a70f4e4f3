import type { SessionResponse } from '@pychat/protocol';
import { startOidcStandIn } from '@pychat/testkit';
import { describe, expect, it } from 'vitest';
import { api, dialect, uniqueName } from './harness';
import { useProviderServer } from './provider-server';
import { Browser } from './redirect-browser';

const CALLBACK = '/api/auth/oidc/callback';

describe(`sign-in with an OpenID Connect provider (${dialect})`, () => {
  const site = useProviderServer('oidc', startOidcStandIn, (idp) => ({
    PYCHAT_OIDC_ISSUER: idp.issuer,
    PYCHAT_OIDC_CLIENT_ID: idp.clientId,
    PYCHAT_OIDC_CLIENT_SECRET: idp.clientSecret,
    PYCHAT_OIDC_NAME: 'TestID',
  }));
  const { session } = site;

  /** Signs in at the provider as `subject` and comes back; the page pychat lands on. */
  const signInWith = async (browser: Browser, subject: string, mode = 'sign-in') => {
    site.provider.loginAs(subject);
    const page = await browser.go(`${site.publicUrl}/api/auth/oidc/start?mode=${mode}`);
    expect(page.origin).toBe(site.publicUrl);
    return page;
  };
  const providerAccount = (email: string, preferred?: string) => {
    const subject = uniqueName('sub');
    site.provider.accounts.set(subject, { email, email_verified: true, preferred_username: preferred });
    return subject;
  };

  it('tells the web app to show the button', async () => {
    const res = await api<SessionResponse>(site.server, 'GET', '/api/auth/session');
    expect(res.body.features.oidc).toEqual({ name: 'TestID' });
  });

  it('creates the account on first sign-in and signs in to the same account the second time', async () => {
    const local = uniqueName('jo');
    const subject = providerAccount(`${local}.x@example.test`);
    const first = new Browser();
    expect((await signInWith(first, subject)).pathname).toBe('/');
    const created = await session(first);
    // From the email's local part, kept to the username rules (no dot).
    expect(created?.username).toBe(`${local}x`.slice(0, 16));

    const second = new Browser();
    expect((await signInWith(second, subject)).pathname).toBe('/');
    expect((await session(second))?.id).toBe(created?.id);
  });

  it('refuses a deactivated account (ACCOUNT_DEACTIVATED) and sets no session', async () => {
    const subject = providerAccount(`${uniqueName('dz')}@example.test`);
    const first = new Browser();
    await signInWith(first, subject);
    const created = await session(first);
    await site.server.pychat.dataSource.query('UPDATE users SET deactivated_at = ? WHERE id = ?', [
      Date.now(),
      created?.id,
    ]);

    const again = new Browser();
    const refused = await signInWith(again, subject);
    expect(refused.pathname).toBe('/login');
    expect(refused.searchParams.get('oidcError')).toBe('ACCOUNT_DEACTIVATED');
    expect(again.cookie(site.publicUrl, 'pychat_session')).toBeUndefined();
  });

  it('makes a taken username unique', async () => {
    const name = uniqueName('dup');
    await site.signUp({ username: name });
    const browser = new Browser();
    await signInWith(browser, providerAccount(`${uniqueName('e')}@example.test`, name));
    const user = await session(browser);
    expect(user?.username).not.toBe(name);
    expect(user?.username.startsWith(name.slice(0, 14))).toBe(true);
  });

  it('does not take over an existing account with the same email', async () => {
    const username = uniqueName('own');
    const email = `${username}@example.test`;
    const owner = await site.signUp({ username, email });
    const browser = new Browser();
    const page = await signInWith(browser, providerAccount(email));
    expect(page.pathname).toBe('/login');
    expect(page.searchParams.get('oidcError')).toBe('IDENTITY_EMAIL_TAKEN');
    expect(await session(browser)).toBeNull();
    const linked = await site.identities(owner.body.token);
    expect(linked.body.identities).toEqual([]);
  });

  it('refuses a forged state and an answer that was started in another browser', async () => {
    const subject = providerAccount(`${uniqueName('st')}@example.test`);
    const atCallback = (url: URL) => url.pathname === CALLBACK;
    const victim = new Browser();
    site.provider.loginAs(subject);
    const answer = await victim.go(`${site.publicUrl}/api/auth/oidc/start`, atCallback);
    expect(answer.searchParams.get('code')).toBeTruthy();

    const forged = new URL(answer);
    forged.searchParams.set('state', 'forged-state-value');
    const refused = await victim.go(forged.href);
    expect(refused.pathname).toBe('/login');
    expect(refused.searchParams.get('oidcError')).toBe('IDENTITY_FAILED');
    expect(await session(victim)).toBeNull();

    // The genuine answer in a browser that did not start the flow (login CSRF): no flow cookie, refused.
    const other = new Browser();
    const replayed = await other.go(answer.href);
    expect(replayed.searchParams.get('oidcError')).toBe('IDENTITY_FAILED');
    expect(await session(other)).toBeNull();
  });

  it('links an identity in the profile, signs in with it, and unlinks it', async () => {
    const username = uniqueName('lnk');
    const account = await site.signUp({ username, email: `${username}@example.test` });
    // Another address at the provider: linking does not go by email.
    const subject = providerAccount(`${uniqueName('other')}@example.test`);
    const browser = new Browser();
    browser.setCookie(site.publicUrl, 'pychat_session', account.body.token);
    const page = await signInWith(browser, subject, 'link');
    expect(page.pathname).toBe('/profile');
    expect(page.searchParams.get('oidcLinked')).toBe('1');

    const fresh = new Browser();
    await signInWith(fresh, subject);
    expect((await session(fresh))?.id).toBe(account.body.user.id);

    const list = await site.identities(account.body.token);
    expect(list.body.identities).toHaveLength(1);
    expect(list.body.identities[0]?.issuer).toBe(site.provider.issuer);
    const id = list.body.identities[0]?.id;
    expect(
      (await api(site.server, 'DELETE', `/api/auth/oidc/identities/${id}`, undefined, account.body.token)).status,
    ).toBe(204);

    // Unlinked: the same provider account now makes a new account instead.
    const after = new Browser();
    await signInWith(after, subject);
    const user = await session(after);
    expect(user).not.toBeNull();
    expect(user?.id).not.toBe(account.body.user.id);
  });

  it('refuses a link that comes back to a browser signed in as someone else', async () => {
    const first = await site.signUp({ username: uniqueName('la') });
    const second = await site.signUp({ username: uniqueName('lb') });
    const browser = new Browser();
    browser.setCookie(site.publicUrl, 'pychat_session', first.body.token);
    site.provider.loginAs(providerAccount(`${uniqueName('lc')}@example.test`));
    const answer = await browser.go(
      `${site.publicUrl}/api/auth/oidc/start?mode=link`,
      (url) => url.pathname === CALLBACK,
    );
    browser.setCookie(site.publicUrl, 'pychat_session', second.body.token);
    const page = await browser.go(answer.href);
    expect(page.searchParams.get('oidcError')).toBe('IDENTITY_FAILED');
    for (const token of [first.body.token, second.body.token]) {
      const list = await site.identities(token);
      expect(list.body.identities).toEqual([]);
    }
  });

  it('refuses to unlink the only way into an account without a password', async () => {
    const browser = new Browser();
    await signInWith(browser, providerAccount(`${uniqueName('only')}@example.test`));
    const token = browser.cookie(site.publicUrl, 'pychat_session');
    const list = await site.identities(token);
    expect(list.body.hasPassword).toBe(false);
    const res = await api<{ code: string }>(
      site.server,
      'DELETE',
      `/api/auth/oidc/identities/${list.body.identities[0]?.id}`,
      undefined,
      token,
    );
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('LAST_SIGN_IN_METHOD');
  });

  it('refuses linking an identity that belongs to another account', async () => {
    const subject = providerAccount(`${uniqueName('tk')}@example.test`);
    await signInWith(new Browser(), subject);
    const username = uniqueName('tl');
    const other = await site.signUp({ username });
    const browser = new Browser();
    browser.setCookie(site.publicUrl, 'pychat_session', other.body.token);
    const page = await signInWith(browser, subject, 'link');
    expect(page.searchParams.get('oidcError')).toBe('IDENTITY_IN_USE');
  });
});

describe(`sign-in with a provider on a server with closed registration (${dialect})`, () => {
  const site = useProviderServer('oidc', startOidcStandIn, (idp) => ({
    PYCHAT_REGISTRATION: 'closed',
    PYCHAT_OIDC_ISSUER: idp.issuer,
    PYCHAT_OIDC_CLIENT_ID: idp.clientId,
    PYCHAT_OIDC_CLIENT_SECRET: idp.clientSecret,
  }));

  it('makes no account for a new identity', async () => {
    site.provider.accounts.set('newcomer', { email: 'newcomer@example.test', email_verified: true });
    site.provider.loginAs('newcomer');
    const stranger = new Browser();
    const refused = await stranger.go(`${site.publicUrl}/api/auth/oidc/start`);
    expect(refused.pathname).toBe('/login');
    expect(refused.searchParams.get('oidcError')).toBe('REGISTRATION_CLOSED');
    expect(stranger.cookie(site.publicUrl, 'pychat_session')).toBeUndefined();
    const [row] = (await site.server.pychat.dataSource.query('SELECT COUNT(*) AS n FROM users')) as {
      n: number | string;
    }[];
    expect(Number(row?.n)).toBe(0);
  });
});
