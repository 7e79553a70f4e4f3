import { describe, expect, it } from 'vitest';
import { dialect, useTestServer } from './harness';

describe(`the migrated schema (${dialect})`, () => {
  const medium = useTestServer();

  it('has a table for each entity and none that nothing reads or writes', async () => {
    const db = medium.server.pychat.dataSource;
    const rows = (await db.query(
      dialect === 'mysql'
        ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()'
        : // messages_fts and its shadow tables: message.search's FTS5 word index, kept by triggers, no entity.
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%'",
    )) as { name: string }[];
    const entityTables = db.entityMetadatas.map((m) => m.tableName);
    expect(rows.map((r) => r.name).sort()).toEqual([...entityTables, 'migrations'].sort());
  });
});
