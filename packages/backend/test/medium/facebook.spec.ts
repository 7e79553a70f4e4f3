import type { SessionResponse } from '@pychat/protocol';
import { startFacebookStandIn, type FacebookAccount } from '@pychat/testkit';
import { describe, expect, it } from 'vitest';
import { api, dialect, uniqueName } from './harness';
import { useProviderServer } from './provider-server';
import { Browser } from './redirect-browser';

describe(`sign-in with Facebook (${dialect})`, () => {
  const site = useProviderServer('facebook', startFacebookStandIn, (fb) => ({
    PYCHAT_FACEBOOK_APP_ID: fb.appId,
    PYCHAT_FACEBOOK_APP_SECRET: fb.appSecret,
    PYCHAT_FACEBOOK_DIALOG_URL: fb.dialogUrl,
    PYCHAT_FACEBOOK_GRAPH_URL: fb.graphUrl,
  }));
  const { session } = site;
  let nextId = 10_000_000 + Math.floor(Math.random() * 1_000_000);

  const account = (extra: Partial<FacebookAccount> = {}): FacebookAccount => ({
    id: String((nextId += 1)),
    name: `Jo ${uniqueName('x').slice(0, 8)}`,
    ...extra,
  });
  const signInWith = async (browser: Browser, who: FacebookAccount, mode = 'sign-in') => {
    site.provider.loginAs(who);
    return browser.go(`${site.publicUrl}/api/auth/facebook/start?mode=${mode}`);
  };

  it('tells the web app to show the button', async () => {
    const res = await api<SessionResponse>(site.server, 'GET', '/api/auth/session');
    expect(res.body.features.facebook).toBe(true);
  });

  it('creates the account on first sign-in, named first_last, and signs in to it the second time', async () => {
    const who = account();
    const first = new Browser();
    expect((await signInWith(first, who)).pathname).toBe('/');
    const created = await session(first);
    expect(created?.username).toBe(who.name.replace(' ', '_').slice(0, 16));

    const second = new Browser();
    expect((await signInWith(second, who)).pathname).toBe('/');
    expect((await session(second))?.id).toBe(created?.id);
  });

  it('does not take over an existing account with the same email', async () => {
    const username = uniqueName('own');
    const email = `${username}@example.test`;
    const owner = await site.signUp({ username, email });
    const browser = new Browser();
    const page = await signInWith(browser, account({ email }));
    expect(page.pathname).toBe('/login');
    expect(page.searchParams.get('oidcError')).toBe('IDENTITY_EMAIL_TAKEN');
    expect(page.searchParams.get('oidcProvider')).toBe('facebook');
    expect(await session(browser)).toBeNull();
    const linked = await site.identities(owner.body.token);
    expect(linked.body.identities).toEqual([]);
  });

  it('refuses a forged state', async () => {
    site.provider.forgeState(true);
    try {
      const browser = new Browser();
      const page = await signInWith(browser, account());
      expect(page.pathname).toBe('/login');
      expect(page.searchParams.get('oidcError')).toBe('IDENTITY_FAILED');
      expect(await session(browser)).toBeNull();
    } finally {
      site.provider.forgeState(false);
    }
  });

  it('links Facebook to a signed-in account, which then signs in with it', async () => {
    const username = uniqueName('lnk');
    const owner = await site.signUp({ username });
    const browser = new Browser();
    browser.setCookie(site.publicUrl, 'pychat_session', owner.body.token);
    const who = account({ email: `${username}@fb.example.test` });
    const page = await signInWith(browser, who, 'link');
    expect(`${page.pathname}${page.search}`).toBe('/profile?oidcLinked=1&oidcProvider=facebook');

    const fresh = new Browser();
    await signInWith(fresh, who);
    expect((await session(fresh))?.username).toBe(username);
  });
});
