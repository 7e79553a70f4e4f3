import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRelayOnlyUser, openDirectRoom, screenshotsOnFailure, startRelayStack, type BrowserUser } from './browser';
import { uniqueName, type Instance } from './stack';

type P2pWindow = Window & { __pychatP2p: { openChannels(roomId?: number): number } };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Issue 13, P2P rooms: a direct room switched to p2p keeps its messages in the two users' browsers only; they go
 * over RTCDataChannels (relay-only through the bundled TURN) between every online device of both, and a device
 * coming back gets what it missed by the sync on channel open. The server's database, files and log never hold
 * a message text.
 */
describe('a p2p direct room in Chromium through the bundled TURN', () => {
  let instance: Instance;
  let browser: Browser;
  let dataDir: string;
  let alice: BrowserUser;
  let bob: BrowserUser;
  /** Alice's second device: a context of its own, so its IndexedDB starts empty. */
  let aliceTwo: BrowserUser;
  let roomId = 0;
  /** In every message text: any copy of it on the server would carry it. */
  const marker = `P2P-ROOM-${randomBytes(6).toString('hex')}`;
  const text = (words: string) => `${words} ${marker}`;

  function composer(page: Page) {
    return page.locator('main .composer textarea');
  }

  async function send(page: Page, words: string) {
    await composer(page).fill(text(words));
    await composer(page).press('Enter');
  }

  function message(page: Page, words: string) {
    return page.locator('main article.msg', { hasText: text(words) });
  }

  /** The texts of the main timeline, in order. */
  async function timeline(page: Page): Promise<string[]> {
    return (await page.locator('main article.msg .content').allTextContents())
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
  }

  function openChannels(page: Page): Promise<number> {
    return page.evaluate((id) => (window as unknown as P2pWindow).__pychatP2p.openChannels(id), roomId);
  }

  beforeAll(async () => {
    ({ instance, browser, dataDir } = await startRelayStack('web-p2p-room', { PYCHAT_LOG_LEVEL: 'debug' }));
    alice = await newRelayOnlyUser(browser, uniqueName('alice'), true);
    bob = await newRelayOnlyUser(browser, uniqueName('bob'), true);
  });

  screenshotsOnFailure(() => ({ alice, bob, aliceTwo }));

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
  });

  it('switches a direct room to p2p in its settings; both see where the history lives', async () => {
    roomId = await openDirectRoom(instance.url, alice, bob);
    await alice.page.goto(`${instance.url}/room/${roomId}/settings`);
    const toggle = alice.page.getByRole('switch', { name: /Peer-to-peer/ });
    expect(await toggle.textContent()).toContain('Server history and peer-to-peer history are separate');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await alice.page.goto(`${instance.url}/chat/${roomId}`);
    for (const [page, other] of [
      [alice.page, bob.name],
      [bob.page, alice.name],
    ] as const) {
      const note = page.getByRole('note');
      await note.waitFor();
      expect(await note.textContent()).toContain(
        `Messages in this room go directly between your devices and ${other}'s; the server never stores them.`,
      );
    }
    for (const page of [alice.page, bob.page]) {
      await expect.poll(() => openChannels(page), { timeout: 45_000 }).toBe(1);
    }
  }, 120_000);

  it('carries messages, an edit and a delete in both directions', async () => {
    await send(alice.page, 'hello bob');
    await message(bob.page, 'hello bob').waitFor();
    // Read status goes over the channel too: bob has the room open at the bottom.
    await message(alice.page, 'hello bob').getByText(`Seen by ${bob.name}`).waitFor();
    await send(bob.page, 'hello alice');
    await message(alice.page, 'hello alice').waitFor();

    // Alice edits hers with ↑, bob edits his from the menu-less path too; each side follows.
    await composer(alice.page).press('ArrowUp');
    await expect.poll(() => composer(alice.page).inputValue()).toBe(text('hello bob'));
    await composer(alice.page).fill(text('hello bob, edited'));
    await composer(alice.page).press('Enter');
    await message(bob.page, 'hello bob, edited').getByText('(edited)').waitFor();
    await composer(bob.page).press('ArrowUp');
    await expect.poll(() => composer(bob.page).inputValue()).toBe(text('hello alice'));
    await composer(bob.page).fill(text('hello alice, edited'));
    await composer(bob.page).press('Enter');
    await message(alice.page, 'hello alice, edited').getByText('(edited)').waitFor();

    await send(alice.page, 'oops from alice');
    await send(bob.page, 'oops from bob');
    await message(alice.page, 'oops from bob').waitFor();
    await message(bob.page, 'oops from alice').waitFor();
    for (const [page, mine] of [
      [alice.page, 'oops from alice'],
      [bob.page, 'oops from bob'],
    ] as const) {
      const target = message(page, mine);
      await target.hover();
      await target.getByRole('button', { name: 'Delete message' }).click();
    }
    for (const page of [alice.page, bob.page]) {
      await expect.poll(() => message(page, 'oops from').count()).toBe(0);
      await expect.poll(() => page.locator('main article.msg.deleted').count()).toBe(2);
    }
  });

  it('delivers what alice wrote while bob was away when he is back: all three, once, in order', async () => {
    await bob.page.close();
    await expect.poll(() => openChannels(alice.page)).toBe(0);
    for (const n of ['one', 'two', 'three']) {
      await send(alice.page, `while away ${n}`);
      await message(alice.page, `while away ${n}`).waitFor();
    }

    bob.page = await bob.context.newPage();
    await bob.page.goto(`${instance.url}/chat/${roomId}`);
    await message(bob.page, 'while away three').waitFor({ timeout: 45_000 });
    const texts = await timeline(bob.page);
    const away = texts.filter((t) => t.includes('while away'));
    expect(away).toEqual([text('while away one'), text('while away two'), text('while away three')]);
    expect(texts.filter((t) => t.includes('hello bob, edited'))).toHaveLength(1);
  }, 120_000);

  it("gives alice's new device the whole history by sync, edits and deletes included", async () => {
    aliceTwo = await newRelayOnlyUser(browser, alice.name, true);
    await aliceTwo.page.goto(`${instance.url}/login`);
    await aliceTwo.page.getByLabel('Username or email').fill(alice.name);
    await aliceTwo.page.getByLabel('Password', { exact: true }).fill('browser-pw');
    await aliceTwo.page.getByRole('button', { name: 'Sign in' }).click();
    await aliceTwo.page.waitForURL(/\/chat\/\d+$/);
    await aliceTwo.page.goto(`${instance.url}/chat/${roomId}`);

    await message(aliceTwo.page, 'while away three').waitFor({ timeout: 45_000 });
    await expect.poll(() => timeline(aliceTwo.page)).toEqual(await timeline(alice.page));
    expect(await message(aliceTwo.page, 'hello alice, edited').getByText('(edited)').count()).toBe(1);
    expect(await aliceTwo.page.locator('main article.msg.deleted').count()).toBe(2);
    // Its own channels: to alice's first device and to bob's.
    await expect.poll(() => openChannels(aliceTwo.page)).toBe(2);
  }, 120_000);

  it('leaves no message text in the database, the data directory or the server log', () => {
    const db = new Database(join(dataDir, 'pychat.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT p2p FROM rooms WHERE id = ?').get(roomId)).toEqual({ p2p: 1 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?').get(roomId)).toEqual({ n: 0 });
      // Every row of every table, in case a text landed anywhere else (an edit log, a push payload…).
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      expect(tables.map((t) => t.name)).toContain('message_edits');
      for (const { name } of tables) {
        expect(JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()), name).not.toContain(marker);
      }
    } finally {
      db.close();
    }
    expect(instance.output.join('')).toContain('p2p joined');
    expect(instance.output.join('')).not.toContain(marker);
    for (const path of filesUnder(dataDir)) {
      expect(readFileSync(path).includes(marker), path).toBe(false);
    }
  });
});
