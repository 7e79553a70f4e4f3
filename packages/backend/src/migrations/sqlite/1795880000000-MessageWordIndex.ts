import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * message.search on a word index: an FTS5 table over messages.content with external content (the text lives
 * once, in `messages`; the index holds only the words), kept in step by triggers, filled once here.
 * A future generated migration that rebuilds `messages` (copy, drop, rename) drops these triggers: recreate them.
 */
export class MessageWordIndex1795880000000 implements MigrationInterface {
  name = 'MessageWordIndex1795880000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "messages_fts" USING fts5(content, content='messages', content_rowid='id')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "messages_fts_ai" AFTER INSERT ON "messages" WHEN new.content IS NOT NULL BEGIN ` +
        `INSERT INTO "messages_fts"(rowid, content) VALUES (new.id, new.content); END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "messages_fts_ad" AFTER DELETE ON "messages" WHEN old.content IS NOT NULL BEGIN ` +
        `INSERT INTO "messages_fts"("messages_fts", rowid, content) VALUES ('delete', old.id, old.content); END`,
    );
    // An edit and a soft delete (content becomes null) both go through here.
    await queryRunner.query(
      `CREATE TRIGGER "messages_fts_au" AFTER UPDATE OF content ON "messages" BEGIN ` +
        `INSERT INTO "messages_fts"("messages_fts", rowid, content) ` +
        `SELECT 'delete', old.id, old.content WHERE old.content IS NOT NULL; ` +
        `INSERT INTO "messages_fts"(rowid, content) SELECT new.id, new.content WHERE new.content IS NOT NULL; END`,
    );
    await queryRunner.query(`INSERT INTO "messages_fts"("messages_fts") VALUES ('rebuild')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "messages_fts_au"`);
    await queryRunner.query(`DROP TRIGGER "messages_fts_ad"`);
    await queryRunner.query(`DROP TRIGGER "messages_fts_ai"`);
    await queryRunner.query(`DROP TABLE "messages_fts"`);
  }
}
