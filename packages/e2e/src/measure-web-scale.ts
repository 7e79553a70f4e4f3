import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, SCREENSHOT_DIR } from './browser';
import { NO_RATE_LIMITS, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from './stack';

/**
 * The web app at scale (issue 17 target 5, docs/performance.md "Web app at scale"): alice is in ~1,000 rooms, one
 * of them holds E2E_MEASURE_MESSAGES messages (default 100,000, SQL-seeded); her Chromium opens it, scrolls back
 * E2E_MEASURE_SCROLL_PAGES pages of 50 (default 100 = 5,000 messages), then a bot sends 200 messages/s for 10 s.
 * Recorded per phase: long tasks (PerformanceObserver 'longtask'), JS heap after a forced GC
 * (performance.memory with --enable-precise-memory-info), DOM node count.
 * Not part of the suites: `E2E_MEASURE=1 unshare -n sh -c 'ip link set lo up && exec npx vitest run
 * src/measure-web-scale.ts'` in packages/e2e.
 */
const MESSAGES = Number(process.env.E2E_MEASURE_MESSAGES ?? 100_000);
const ROOMS = Number(process.env.E2E_MEASURE_ROOMS ?? 1_000);
const SCROLL_PAGES = Number(process.env.E2E_MEASURE_SCROLL_PAGES ?? 100);
const BURST_PER_S = 200;
const BURST_S = 10;
/** Members of the room whose member list is measured last (E2E_MEASURE_MEMBERS). */
const CROWD = Number(process.env.E2E_MEASURE_MEMBERS ?? 5_000);

type ScaleWindow = Window & { __long: { start: number; duration: number }[] };

interface Phase {
  phase: string;
  longTasks: number;
  maxLongTaskMs: number;
  heapMB: number;
  domNodes: number;
  /** Script bytes as transferred (the server sends the precompressed .gz/.br) since the navigation. */
  scriptKB: number;
  seconds: number;
}

function sql(file: string, statements: string): void {
  execFileSync('sqlite3', [file], { input: statements });
}

describe(`web app at scale: ${ROOMS} rooms, ${MESSAGES} messages`, () => {
  let instance: Instance;
  let browser: Browser;
  let page: Page;
  let bigRoom: number;
  let botToken: string;
  const dataDir = tempDir('measure-web-scale');
  const env = { PYCHAT_DATA_DIR: dataDir, ...NO_RATE_LIMITS };
  const name = uniqueName('alice');
  const phases: Phase[] = [];

  beforeAll(async () => {
    instance = await startInstance(env);
    const alice = await signUp(instance, name, { password: 'browser-pw' });
    const bot = await signUp(instance, uniqueName('bot'));
    botToken = bot.token;
    const client = await TestClient.connect(instance, alice.token);
    const channel = await client.request('channel.create', { name: 'scale', userIds: [bot.user.id] });
    const room = await client.request('room.create', {
      channelId: channel.channel.id,
      name: 'big',
      userIds: [bot.user.id],
    });
    bigRoom = room.room.id;
    await client.close();
    await instance.stop();
    // Rooms as copies of the one made through the API (so every column is what the app writes), with its members.
    const db = join(dataDir, 'pychat.sqlite');
    const now = Date.now();
    sql(
      db,
      `BEGIN;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROOMS - 3})
      INSERT INTO rooms (kind, name, channel_id, admin_id, p2p, pins_admin_only, direct_key, created_at)
        SELECT kind, 'r' || i, channel_id, admin_id, p2p, pins_admin_only, NULL, created_at + i FROM rooms, n WHERE id = ${bigRoom};
      INSERT INTO room_members (room_id, user_id, volume, notifications, last_read_message_id, joined_at)
        SELECT r.id, m.user_id, m.volume, m.notifications, 0, m.joined_at FROM rooms r, room_members m
        WHERE r.id > ${bigRoom} AND m.room_id = ${bigRoom};
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MESSAGES})
      INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, updated_at, edited_at, deleted_at)
        SELECT ${bigRoom}, ${bot.user.id}, 'message ' || i || ' ' || substr(hex(randomblob(48)), 1, 88), NULL, NULL, 0, NULL,
          ${now} - (${MESSAGES} - i) * 1000, ${now} - (${MESSAGES} - i) * 1000, NULL, NULL FROM n;
      UPDATE room_members SET last_read_message_id = (SELECT max(id) FROM messages);
      COMMIT;`,
    );
    instance = await startInstance({ ...env, PYCHAT_PORT: String(instance.port) });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
    });
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    await context.addInitScript(() => {
      const w = window as unknown as ScaleWindow;
      w.__long = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          w.__long.push({ start: entry.startTime, duration: entry.duration });
        }
      }).observe({ type: 'longtask', buffered: true });
    });
    page = await context.newPage();
    await page.goto(`${instance.url}/login`);
    await page.locator('#login-name').fill(name);
    await page.locator('#login-password').fill('browser-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/chat\/\d+$/);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.kill();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'web-scale.json'), JSON.stringify(phases, null, 2));
    console.table(phases);
  });

  /** Long tasks since `since` (page clock), heap after a forced GC, DOM nodes. */
  async function record(phase: string, since: number, startedAt: number): Promise<number> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
    const state = await page.evaluate((from) => {
      const w = window as unknown as ScaleWindow & { performance: { memory: { usedJSHeapSize: number } } };
      const tasks = w.__long.filter((t) => t.start >= from);
      return {
        now: performance.now(),
        longTasks: tasks.filter((t) => t.duration > 50).length,
        maxLongTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
        heapMB: Math.round(w.performance.memory.usedJSHeapSize / 1e5) / 10,
        domNodes: document.getElementsByTagName('*').length,
        scriptKB: Math.round(
          performance
            .getEntriesByType('resource')
            .filter((r) => (r as PerformanceResourceTiming).initiatorType === 'script')
            .reduce((sum, r) => sum + (r as PerformanceResourceTiming).encodedBodySize, 0) / 1024,
        ),
      };
    }, since);
    phases.push({
      phase,
      longTasks: state.longTasks,
      maxLongTaskMs: state.maxLongTaskMs,
      heapMB: state.heapMB,
      domNodes: state.domNodes,
      scriptKB: state.scriptKB,
      seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    });
    return state.now;
  }

  it('opens the room, scrolls back, takes a burst', async () => {
    const opened = Date.now();
    await page.goto(`${instance.url}/chat/${bigRoom}`);
    await page.locator(`text=message ${MESSAGES} `).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1_000);
    let mark = await record('first view (from navigation)', 0, opened);

    const scrolled = Date.now();
    const log = page.getByRole('log', { name: 'Messages' });
    const oldestShown = () =>
      log.evaluate((el) =>
        Math.min(
          ...[...el.querySelectorAll('[data-message-id]')].map((m) => Number(m.getAttribute('data-message-id'))),
        ),
      );
    const newest = await log.evaluate((el) =>
      Math.max(...[...el.querySelectorAll('[data-message-id]')].map((m) => Number(m.getAttribute('data-message-id')))),
    );
    const target = newest - SCROLL_PAGES * 50;
    for (let oldest = await oldestShown(); oldest > target;) {
      await log.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      const before = oldest;
      await expect.poll(oldestShown, { timeout: 30_000, interval: 20 }).toBeLessThan(before);
      oldest = await oldestShown();
    }
    await page.waitForTimeout(1_000);
    mark = await record(`scroll back ${SCROLL_PAGES * 50} messages`, mark, scrolled);

    // Back to the bottom, where new messages show as they arrive (the rendered window moves a step per scroll).
    const newestShown = () =>
      log.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
        el.dispatchEvent(new Event('scroll'));
        return Math.max(
          ...[...el.querySelectorAll('[data-message-id]')].map((m) => Number(m.getAttribute('data-message-id'))),
        );
      });
    await expect.poll(newestShown, { timeout: 120_000, interval: 100 }).toBe(newest);
    await page.waitForTimeout(2_000);
    const bot = await TestClient.connect(instance, botToken);
    const burst = Date.now();
    const total = BURST_PER_S * BURST_S;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = burst + (i * 1000) / BURST_PER_S;
      const wait = due - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      sends.push(bot.request('message.send', { roomId: bigRoom, content: `burst ${i}`, localId: `b${i}` }));
    }
    await Promise.all(sends);
    // A page that cannot keep up still gets its figures, with how long the last message took to show.
    const shown = await page
      .locator(`text=burst ${total - 1}`)
      .waitFor({ timeout: 60_000 })
      .then(() => `shown after ${Math.round((Date.now() - burst) / 100) / 10} s`)
      .catch(() => 'last not shown within 60 s after the burst');
    await page.waitForTimeout(1_000);
    await record(`${total} messages at ${BURST_PER_S}/s (${shown})`, mark, burst);
    await bot.close();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-scale.png') });
  }, 900_000);

  it(`opens the member list of a room of ${CROWD}`, () => measureMemberList(), 1_800_000);

  /**
   * A room of CROWD members (users copied by SQL from the bot, the room from the big one: alice is its admin) and
   * its member list (room settings). Per web app build — this checkout's, and E2E_MEASURE_STATIC_BEFORE (a
   * `dist/` of an older build) alternated with it when set: the first chat view's scripts, the list opened,
   * 20 presence changes of a member (the bot connects and leaves), the list scrolled to its end.
   */
  async function measureMemberList(): Promise<void> {
    await instance.stop();
    const db = join(dataDir, 'pychat.sqlite');
    const columns = execFileSync('sqlite3', [db, "SELECT name FROM pragma_table_info('users')"], { encoding: 'utf8' })
      .split('\n')
      .filter((c) => c && c !== 'id');
    const copied = columns.map((c) => (c === 'username' ? "'m' || i" : c === 'email' ? 'NULL' : c));
    const botId = Number(execFileSync('sqlite3', [db, 'SELECT sender_id FROM messages LIMIT 1'], { encoding: 'utf8' }));
    sql(
      db,
      `BEGIN;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CROWD})
      INSERT INTO users (${columns.join(', ')}) SELECT ${copied.join(', ')} FROM users, n WHERE id = ${botId};
      INSERT INTO rooms (kind, name, channel_id, admin_id, p2p, pins_admin_only, direct_key, created_at)
        SELECT kind, 'crowd', channel_id, admin_id, p2p, pins_admin_only, NULL, created_at FROM rooms WHERE id = ${bigRoom};
      INSERT INTO room_members (room_id, user_id, volume, notifications, last_read_message_id, joined_at)
        SELECT (SELECT max(id) FROM rooms), m.user_id, m.volume, m.notifications, 0, m.joined_at FROM room_members m
        WHERE m.room_id = ${bigRoom};
      INSERT INTO room_members (room_id, user_id, volume, notifications, last_read_message_id, joined_at)
        SELECT (SELECT max(id) FROM rooms), id, 80, 1, 0, created_at FROM users WHERE username LIKE 'm%';
      COMMIT;`,
    );
    const crowd = Number(execFileSync('sqlite3', [db, 'SELECT max(id) FROM rooms'], { encoding: 'utf8' }));
    const before = process.env.E2E_MEASURE_STATIC_BEFORE;
    const builds: [string, string | undefined][] = before
      ? [
          ['before', before],
          ['after', undefined],
          ['before', before],
          ['after', undefined],
        ]
      : [['this build', undefined]];
    let running = false;
    for (const [build, staticDir] of builds) {
      if (running) {
        await instance.stop();
      }
      instance = await startInstance({
        ...env,
        PYCHAT_PORT: String(instance.port),
        ...(staticDir ? { PYCHAT_STATIC_DIR: staticDir } : {}),
      });
      // A fresh page: no script of the other build in memory or in the HTTP cache.
      const context = page.context();
      await page.close();
      page = await context.newPage();
      await context.clearCookies();
      await page.goto(`${instance.url}/login`);
      await page.locator('#login-name').fill(name);
      await page.locator('#login-password').fill('browser-pw');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/chat\/\d+$/);
      await page
        .getByRole('textbox', { name: /message/i })
        .first()
        .waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1_000);
      await record(`${build}: first chat view after sign-in`, 0, Date.now());

      const opened = Date.now();
      await page.goto(`${instance.url}/room/${crowd}/settings`);
      await page
        .getByText(`Members (${(CROWD + 2).toLocaleString('en')})`)
        .or(page.getByText(`Members (${CROWD + 2})`))
        .waitFor({ timeout: 120_000 });
      await page.locator('.member').first().waitFor({ timeout: 120_000 });
      await page.waitForTimeout(1_000);
      let mark = await record(`${build}: member list of ${CROWD + 2} opened`, 0, opened);
      const rows = await page.locator('.member').count();
      phases[phases.length - 1]!.phase += ` (${rows} rows in the DOM)`;
      if (build !== 'before') {
        await page.locator('.members').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-scale-members.png') });
      }

      const churn = Date.now();
      for (let i = 0; i < 10; i++) {
        const bot = await TestClient.connect(instance, botToken);
        await page.waitForTimeout(300);
        await bot.close();
        await page.waitForTimeout(300);
      }
      await page.waitForTimeout(1_000);
      mark = await record(`${build}: 20 presence changes of a member`, mark, churn);

      const scrolled = Date.now();
      const list = page.locator('.members');
      for (let i = 0; i < 40; i++) {
        await list.evaluate((el) => {
          el.scrollTop += el.scrollHeight / 40;
        });
        await page.waitForTimeout(50);
      }
      await page.waitForTimeout(1_000);
      await record(`${build}: member list scrolled to its end`, mark, scrolled);
      running = true;
    }
  }
});
