import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { freeUdpPort, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from '@pychat/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** Debian's Chromium; never a downloaded browser. Flags from the machine notes (no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'pychat-chromium-'));
  return chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** One browser for several isolated users: each context has its own cookies, IndexedDB and service worker. */
export function launchSharedBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** One person in the web app: an isolated context (cookies, IndexedDB, service worker) and its page. */
export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  name: string;
}

/** A desktop-sized context; confirmation dialogs (leave, delete) are accepted unless told otherwise. */
export async function newBrowserUser(browser: Browser, name: string, acceptDialogs = true): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  if (acceptDialogs) {
    page.on('dialog', (dialog) => void dialog.accept());
  }
  return { context, page, name };
}

/** Signs up through the sign-up form and waits for the "all" room, as a new user would. */
export async function signUpInBrowser(baseUrl: string, who: BrowserUser): Promise<void> {
  await who.page.goto(`${baseUrl}/sign-up`);
  await who.page.getByLabel('Username').fill(who.name);
  await who.page.getByLabel('Password', { exact: true }).fill('browser-pw');
  await who.page.getByLabel('Repeat password').fill('browser-pw');
  await who.page.getByRole('button', { name: 'Create account' }).click();
  await who.page.waitForURL(/\/chat\/1$/);
}

/** Signs `who` in through the login form: another device of a user who signed up with signUpInBrowser. */
export async function signInInBrowser(baseUrl: string, who: BrowserUser): Promise<void> {
  await who.page.goto(`${baseUrl}/login`);
  await who.page.getByLabel('Username or email').fill(who.name);
  await who.page.getByLabel('Password', { exact: true }).fill('browser-pw');
  await who.page.getByRole('button', { name: 'Sign in' }).click();
}

/** Where browser specs leave screenshots (repository root, ignored by git). */
export const SCREENSHOT_DIR = join(__dirname, '../../../test-results');

/** After each failed test of the enclosing describe, a screenshot of each page, named after the test and the key. */
export function screenshotsOnFailure(users: () => Record<string, BrowserUser | undefined>): void {
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') {
      return;
    }
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const name = context.task.name.replace(/\W+/g, '-').slice(0, 60);
    for (const [label, who] of Object.entries(users())) {
      await who?.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`) }).catch(() => undefined);
    }
  });
}

/**
 * The two-user specs' stack for the enclosing describe block: an instance with its data under a fresh temp dir
 * (`name`) and `env`, one shared Chromium, alice and bob each in a context of their own (`aliceInitScript` runs in
 * every page of alice's), signed up through the form unless `signUp` is false; screenshots of both on a failure.
 * alice and bob are filled in before the first test, so a spec may take them apart at once.
 */
export function useTwoUsers(
  name: string,
  {
    env = {},
    signUp = true,
    aliceInitScript,
  }: { env?: Record<string, string>; signUp?: boolean; aliceInitScript?: string } = {},
) {
  let instance: Instance | undefined;
  let browser: Browser | undefined;
  const alice = {} as BrowserUser;
  const bob = {} as BrowserUser;

  beforeAll(async () => {
    instance = await startInstance({ PYCHAT_DATA_DIR: tempDir(name), ...env });
    browser = await launchSharedBrowser();
    Object.assign(alice, await newBrowserUser(browser, uniqueName('alice')));
    if (aliceInitScript) {
      await alice.context.addInitScript(aliceInitScript);
    }
    Object.assign(bob, await newBrowserUser(browser, uniqueName('bob')));
    if (signUp) {
      await signUpInBrowser(instance.url, alice);
      await signUpInBrowser(instance.url, bob);
    }
  });

  // Not before they are filled in (a failed start).
  screenshotsOnFailure(() => ({ alice: 'page' in alice ? alice : undefined, bob: 'page' in bob ? bob : undefined }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  return {
    alice,
    bob,
    get instance(): Instance {
      return instance!;
    },
    get browser(): Browser {
      return browser!;
    },
  };
}

/** The open room's composer text box. */
export function composer(page: Page): Locator {
  return page.locator('main .composer textarea');
}

/** Types `text` into the open room's composer and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** A message with `text` in the open room that the server has confirmed (it has an id then). */
export function message(page: Page, text: string): Locator {
  return page.locator('main article.msg[data-message-id]', { hasText: text });
}

/** Whether the element lies wholly in the viewport: scrolled to, not only loaded. */
export function inViewport(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });
}

/** A third user (carol) sends `count` messages "filler 0", "filler 1", … to the "all" room over the protocol. */
export async function sendFillers(instance: Instance, count: number): Promise<void> {
  const carol = await signUp(instance, uniqueName('carol'));
  const client = await TestClient.connect(instance, carol.token);
  for (let i = 0; i < count; i++) {
    await client.request('message.send', { roomId: 1, content: `filler ${i}`, localId: `f${i}` });
  }
  await client.close();
}

/**
 * Env for an instance whose bundled TURN relays between browsers on 127.0.0.1 (calls, P2P transfers): a free UDP
 * port, a relay range of its own, and loopback peers allowed (every address here is 127.0.0.1, which the TURN
 * server refuses by default).
 */
export async function loopbackTurnEnv(): Promise<Record<string, string>> {
  const minPort = 61000 + Math.floor(Math.random() * 40) * 100;
  return {
    PYCHAT_TURN: 'on',
    PYCHAT_TURN_PORT: String(await freeUdpPort()),
    PYCHAT_TURN_LISTEN_IPS: '127.0.0.1',
    PYCHAT_TURN_MIN_PORT: String(minPort),
    PYCHAT_TURN_MAX_PORT: String(minPort + 49),
    PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: 'true',
  };
}

/**
 * The relayed WebRTC specs' stack (calls, transfers, p2p rooms): an instance whose bundled TURN relays on
 * 127.0.0.1 (`loopbackTurnEnv`), with its data under a fresh temp dir, and one shared Chromium.
 */
export async function startRelayStack(
  name: string,
  env: Record<string, string> = {},
): Promise<{ instance: Instance; browser: Browser; dataDir: string }> {
  const dataDir = tempDir(name);
  const instance = await startInstance({ PYCHAT_DATA_DIR: dataDir, ...env, ...(await loopbackTurnEnv()) });
  return { instance, browser: await launchSharedBrowser(), dataDir };
}

/**
 * A user whose every peer connection (call, transfer, p2p room) may use TURN relay candidates only, so a pass
 * proves the bundled TURN carries it. Set before the first navigation, so it holds in every page of the context.
 */
export async function newRelayOnlyUser(browser: Browser, name: string, acceptDialogs = false): Promise<BrowserUser> {
  const who = await newBrowserUser(browser, name, acceptDialogs);
  await who.context.addInitScript(() => localStorage.setItem('pychat.iceTransportPolicy', 'relay'));
  return who;
}

/** Both sign up; `from` opens a direct room with `to` through the UI, and both end up in it. Returns its id. */
export async function openDirectRoom(baseUrl: string, from: BrowserUser, to: BrowserUser): Promise<number> {
  await signUpInBrowser(baseUrl, from);
  await signUpInBrowser(baseUrl, to);
  await from.page.goto(`${baseUrl}/create/direct`);
  await from.page.getByLabel('Find a user').fill(to.name);
  await from.page.getByRole('button', { name: new RegExp(to.name) }).click();
  await from.page.waitForURL(/\/chat\/\d+$/);
  const roomId = Number(/\/chat\/(\d+)$/.exec(from.page.url())?.[1]);
  await to.page.locator(`nav a[data-room-id="${roomId}"]`).click();
  await to.page.waitForURL(new RegExp(`/chat/${roomId}$`));
  return roomId;
}
