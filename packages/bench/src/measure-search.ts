import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_CHANNEL_ID, LIMITS } from '@pychat/protocol';
import { NO_RATE_LIMITS, signUp, startInstance, TestClient, uniqueName } from '@pychat/testkit';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';

/**
 * message.search across all my rooms over a 1,000,000-message room on SQLite, p50/p95 through the server, beside
 * the same LIKE query as raw SQL on the same file in the same run (docs/performance.md "Search").
 * By hand: `npx vitest run --config vitest.measure.config.mts` in packages/bench (MEASURE_MESSAGES, MEASURE_RUNS).
 */
const MESSAGES = Number(process.env.MEASURE_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.MEASURE_RUNS ?? 20);

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

it(`message.search over a ${MESSAGES}-message room`, { timeout: 1_800_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pychat-search-'));
  const env = { PYCHAT_DATA_DIR: dir, ...NO_RATE_LIMITS };
  try {
    let instance = await startInstance(env);
    const alice = await signUp(instance, uniqueName('alice'));
    const client = await TestClient.connect(instance, alice.token);
    const { room } = await client.request('room.create', { channelId: ALL_CHANNEL_ID, name: 'big', userIds: [] });
    await client.close();
    await instance.kill();

    // Seeded as the bench's history-1m layout does: 100-character rows, one a second; one word in 1 of 10,000.
    const db = new Database(join(dir, 'pychat.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(
      'INSERT INTO messages (room_id, sender_id, content, local_id, parent_id, thread_count, symbol, created_at, updated_at, edited_at, deleted_at) VALUES (?, ?, ?, NULL, NULL, 0, NULL, ?, ?, NULL, NULL)',
    );
    const now = Date.now();
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const text = `history message ${i} ${i % 10_000 === 0 ? 'Zanzibar ' : ''}`.padEnd(100, 'x');
        insert.run(room.id, alice.user.id, text, now - (MESSAGES - i) * 1000, now - (MESSAGES - i) * 1000);
      }
    });
    for (let from = 0; from < MESSAGES; from += 10_000) {
      batch(from, Math.min(MESSAGES, from + 10_000));
    }
    db.close();

    instance = await startInstance(env);
    // A scan of the whole room may take longer than the client's default wait on a busy machine.
    const reader = await TestClient.connect(instance, alice.token, { timeoutMs: 120_000 });
    const raw = new Database(join(dir, 'pychat.sqlite'), { readonly: true });
    // The baseline: the repository's statement without the membership subquery, on the same file.
    const baseline = raw.prepare(
      "SELECT * FROM messages m WHERE m.room_id = ? AND m.deleted_at IS NULL AND LOWER(m.content) LIKE ? ESCAPE '!' ORDER BY m.id DESC LIMIT ?",
    );
    // "Before": the cross-room statement message.search ran until the per-room walks (sorts every match).
    const before = raw.prepare(
      "SELECT * FROM messages m WHERE m.room_id IN (SELECT rm.room_id FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id WHERE rm.user_id = ? AND r.deleted_at IS NULL) AND m.deleted_at IS NULL AND LOWER(m.content) LIKE ? ESCAPE '!' ORDER BY m.id DESC LIMIT ?",
    );
    const result: Record<string, { p50: number; p95: number }> = {};
    for (const [query, label] of [
      ['zanzibar', 'rare word (100 hits)'],
      ['no such text', 'no hit (full scan)'],
      ['history', 'common word (first page)'],
    ] as const) {
      const server: number[] = [];
      const sql: number[] = [];
      const old: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        let t = performance.now();
        const { messages } = await reader.request('message.search', { query });
        server.push(performance.now() - t);
        t = performance.now();
        const rows = baseline.all(room.id, `%${query}%`, LIMITS.searchPageSize + 1);
        sql.push(performance.now() - t);
        t = performance.now();
        before.all(alice.user.id, `%${query}%`, LIMITS.searchPageSize + 1);
        old.push(performance.now() - t);
        expect(messages.length).toBe(Math.min(rows.length, LIMITS.searchPageSize));
      }
      result[`${label}: message.search`] = { p50: pct(server, 50), p95: pct(server, 95) };
      result[`${label}: raw SQL`] = { p50: pct(sql, 50), p95: pct(sql, 95) };
      result[`${label}: old cross-room SQL`] = { p50: pct(old, 50), p95: pct(old, 95) };
    }
    raw.close();
    await reader.close();
    await instance.kill();
    console.log(JSON.stringify({ messages: MESSAGES, runs: RUNS, ms: result }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
