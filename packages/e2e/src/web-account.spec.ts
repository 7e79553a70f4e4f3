import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchSharedBrowser,
  newBrowserUser,
  SCREENSHOT_DIR,
  screenshotsOnFailure,
  signUpInBrowser,
  type BrowserUser,
} from './browser';
import {
  api,
  freePort,
  linkIn,
  startInstance,
  startMailCatcher,
  tempDir,
  uniqueName,
  type Instance,
  type MailCatcher,
} from './stack';

/** Issue 15: the profile page in Chromium (real build). */
describe('the profile in Chromium', () => {
  let instance: Instance;
  let browser: Browser;
  let alice: BrowserUser;
  let bob: BrowserUser;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir('web-profile') });
    browser = await launchSharedBrowser();
    alice = await newBrowserUser(browser, uniqueName('alice'));
    bob = await newBrowserUser(browser, uniqueName('bob'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  screenshotsOnFailure(() => ({ alice, bob }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('alice edits her profile and bob, on her read-only profile page, sees it change without reloading', async () => {
    await signUpInBrowser(instance.url, alice);
    await signUpInBrowser(instance.url, bob);
    const aliceId = await alice.page.evaluate(async () => {
      const res = await fetch('/api/auth/session');
      return ((await res.json()) as { user: { id: number } }).user.id;
    });

    await bob.page.goto(`${instance.url}/user/${aliceId}`);
    const bobCard = bob.page.locator('.user-profile-card');
    await expect.poll(() => bobCard.textContent()).toContain('not set');
    // Someone else's profile has no form.
    expect(await bob.page.getByRole('button', { name: 'Save profile' }).count()).toBe(0);

    await alice.page.goto(`${instance.url}/profile`);
    const renamed = uniqueName('ally');
    await alice.page.getByLabel('Username').fill(renamed);
    await alice.page.getByLabel('First name').fill('Alice');
    await alice.page.getByLabel('City').fill('Wonderland');
    await alice.page.getByLabel('Gender').selectOption('female');
    await alice.page.getByLabel('Birthday').fill('1990-05-04');
    await alice.page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => alice.page.locator('.user-profile-form .saved').textContent()).toContain('Saved');
    await alice.page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-edit.png'), fullPage: true });

    await expect.poll(() => bobCard.textContent()).toContain('Wonderland');
    const text = await bobCard.textContent();
    expect(text).toContain('Alice');
    expect(text).toContain('Female');
    expect(await bob.page.locator('.user-profile-card h2').textContent()).toBe(renamed);
    await bob.page.screenshot({ path: join(SCREENSHOT_DIR, 'profile-seen-by-other.png'), fullPage: true });

    // A name someone has: refused with the server's words, nothing changed.
    await alice.page.getByLabel('Username').fill(bob.name);
    await alice.page.getByRole('button', { name: 'Save profile' }).click();
    await expect
      .poll(() => alice.page.locator('.user-profile-form .app-form-error').textContent())
      .toContain('already taken');
  });
});

/** Issue 15: forgot password in Chromium, the link taken from the mail an in-process SMTP server caught. */
describe('forgot password in Chromium', () => {
  let instance: Instance;
  let mail: MailCatcher;
  let browser: Browser;
  let carol: BrowserUser;

  beforeAll(async () => {
    mail = await startMailCatcher();
    const port = await freePort();
    instance = await startInstance({
      PYCHAT_PORT: String(port),
      PYCHAT_DATA_DIR: tempDir('web-reset'),
      PYCHAT_SMTP_URL: mail.url,
      PYCHAT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    browser = await launchSharedBrowser();
    carol = await newBrowserUser(browser, uniqueName('carol'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  screenshotsOnFailure(() => ({ carol }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    await mail?.close();
  });

  it('carol asks for a link by email, opens it from the mail, sets a new password and signs in with it', async () => {
    const email = `${carol.name}@example.test`;
    const created = await api(instance, 'POST', '/api/auth/sign-up', {
      username: carol.name,
      email,
      password: 'old-password',
    });
    expect(created.status).toBe(201);
    const { page } = carol;

    await page.goto(`${instance.url}/login`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await page.getByLabel('Username or email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await expect.poll(() => page.locator('.note[role=status]').textContent()).toContain('on its way');

    const sent = await mail.waitFor((m) => m.to.includes(email) && /Reset/.test(m.subject));
    await page.goto(linkIn(sent, '/reset-password'));
    await page.getByLabel('New password', { exact: true }).fill('fresh-password');
    await page.getByLabel('Repeat password').fill('fresh-password');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reset-password.png') });
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('.note[role=status]').textContent()).toContain('password is changed');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reset-password-done.png') });

    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username or email').fill(carol.name);
    await page.getByLabel('Password', { exact: true }).fill('fresh-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/chat\/1$/);

    // The link worked once: opening it again is refused.
    const again = await api<{ code: string }>(instance, 'POST', '/api/account/password-reset/confirm', {
      token: new URL(linkIn(sent, '/reset-password')).searchParams.get('token'),
      password: 'third-password',
    });
    expect(again.body.code).toBe('INVALID_TOKEN');
  });
});
