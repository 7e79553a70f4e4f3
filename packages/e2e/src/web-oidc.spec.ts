import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOidcStandIn, type OidcStandIn } from '@pychat/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import { freePort, startInstance, tempDir, uniqueName, type Instance } from './stack';

const CALLBACK = '/api/auth/oidc/callback';

/** Issue 15: sign-in with an OpenID Connect provider in Chromium, through the provider's own login pages. */
describe('sign-in with an identity provider in Chromium', () => {
  let idp: OidcStandIn;
  let instance: Instance;
  let browser: Browser;
  let publicUrl: string;
  const users: Record<string, BrowserUser | undefined> = {};

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcStandIn(`${publicUrl}${CALLBACK}`, { interactive: true });
    instance = await startInstance({
      PYCHAT_PORT: String(port),
      PYCHAT_DATA_DIR: tempDir('web-oidc'),
      PYCHAT_PUBLIC_URL: publicUrl,
      PYCHAT_OIDC_ISSUER: idp.issuer,
      PYCHAT_OIDC_CLIENT_ID: idp.clientId,
      PYCHAT_OIDC_CLIENT_SECRET: idp.clientSecret,
      PYCHAT_OIDC_NAME: 'TestID',
    });
    browser = await launchSharedBrowser();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  screenshotsOnFailure(() => users);

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    await idp?.close();
  });

  /** At the provider: its login form (any password), then its consent page when it asks. */
  async function providerLogin(page: Page, subject: string): Promise<void> {
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(subject);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL((url) => url.origin === publicUrl || url.pathname.startsWith('/interaction/'));
    if (new URL(page.url()).origin === idp.issuer) {
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await page.waitForURL((url) => url.origin === publicUrl && url.pathname !== CALLBACK);
  }

  async function me(page: Page): Promise<{ id: number; username: string } | null> {
    return page.evaluate(async () => {
      const res = await fetch('/api/auth/session');
      return ((await res.json()) as { user: { id: number; username: string } | null }).user;
    });
  }

  async function signInWithProvider(who: BrowserUser, subject: string): Promise<void> {
    await who.page.goto(`${publicUrl}/login`);
    await who.page.getByRole('link', { name: 'Sign in with TestID' }).click();
    await providerLogin(who.page, subject);
  }

  it('signs up on the first sign-in and back into the same account on the next', async () => {
    const local = uniqueName('dana');
    idp.accounts.set('dana-sub', { email: `${local}@example.test`, email_verified: true });
    const first = (users.first = await newBrowserUser(browser, 'first'));
    await signInWithProvider(first, 'dana-sub');
    await first.page.waitForURL(/\/chat\/1$/);
    const created = await me(first.page);
    expect(created?.username).toBe(local);
    await first.page.screenshot({ path: join(SCREENSHOT_DIR, 'oidc-signed-up.png') });

    const second = (users.second = await newBrowserUser(browser, 'second'));
    await signInWithProvider(second, 'dana-sub');
    await second.page.waitForURL(/\/chat\/1$/);
    expect((await me(second.page))?.id).toBe(created?.id);
  });

  it('refuses a forged state and says so on the sign-in page', async () => {
    idp.accounts.set('mallory-sub', { email: `${uniqueName('mal')}@example.test`, email_verified: true });
    const forger = (users.forger = await newBrowserUser(browser, 'forger'));
    idp.forgeState(true);
    await signInWithProvider(forger, 'mallory-sub');
    idp.forgeState(false);
    await forger.page.waitForURL(/\/login\?oidcError=IDENTITY_FAILED/);
    await expect
      .poll(() => forger.page.locator('.app-form-error').textContent())
      .toContain('Sign-in with TestID failed');
    expect(await me(forger.page)).toBeNull();
    await forger.page.screenshot({ path: join(SCREENSHOT_DIR, 'oidc-forged-state.png') });
  });

  it('links the provider in the profile, then unlinks it', async () => {
    const erin = (users.erin = await newBrowserUser(browser, uniqueName('erin')));
    await signUpInBrowser(publicUrl, erin);
    idp.accounts.set('erin-sub', { email: `${uniqueName('erin')}@example.test`, email_verified: true });
    await erin.page.goto(`${publicUrl}/profile`);
    await erin.page.getByRole('link', { name: 'Link TestID' }).click();
    await providerLogin(erin.page, 'erin-sub');
    await erin.page.waitForURL(/\/profile\?oidcLinked=1/);
    await expect.poll(() => erin.page.getByText('TestID is linked').count()).toBe(1);
    await erin.page.screenshot({ path: join(SCREENSHOT_DIR, 'oidc-linked.png'), fullPage: true });

    // The linked identity signs in to erin's account.
    const again = (users.again = await newBrowserUser(browser, 'again'));
    await signInWithProvider(again, 'erin-sub');
    await again.page.waitForURL(/\/chat\/1$/);
    expect((await me(again.page))?.username).toBe(erin.name);

    await erin.page.getByRole('button', { name: 'Unlink' }).click();
    await expect.poll(() => erin.page.getByText('No TestID account is linked').count()).toBe(1);
  });
});
