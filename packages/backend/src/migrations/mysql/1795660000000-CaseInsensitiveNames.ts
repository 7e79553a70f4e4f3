import type { MigrationInterface, QueryRunner } from 'typeorm';

const FOLD = 'utf8mb4_unicode_ci';

/**
 * Usernames and emails unique in any case. The unique indexes compare with the columns' collation, which is
 * the database's default: case-insensitive when it was created as documented (utf8mb4_unicode_ci), and then
 * this does nothing. A database created case-sensitive (`_bin`, `_cs`) gets both columns converted to
 * utf8mb4_unicode_ci, after the same renames as on SQLite: the oldest account keeps a name; each later one
 * is renamed to `<name>-2`, `-3`, … and loses a colliding email (NULL, unverified), printed to stderr.
 */
export class CaseInsensitiveNames1795660000000 implements MigrationInterface {
  name = 'CaseInsensitiveNames1795660000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const columns: { collation: string | null }[] = await queryRunner.query(
      `SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ` +
        `AND TABLE_NAME = 'users' AND COLUMN_NAME IN ('username', 'email')`,
    );
    if (columns.every((c) => /_ci$/.test(c.collation ?? ''))) {
      return;
    }
    const folded = (expr: string) => `CONVERT(${expr} USING utf8mb4) COLLATE ${FOLD}`;
    const later = (column: string) =>
      `SELECT \`id\`, \`${column}\` AS \`value\` FROM \`users\` AS \`u\` WHERE EXISTS (SELECT 1 FROM \`users\` ` +
      `AS \`v\` WHERE \`v\`.\`id\` < \`u\`.\`id\` AND ${folded(`\`v\`.\`${column}\``)} = ` +
      `${folded(`\`u\`.\`${column}\``)}) ORDER BY \`id\``;
    const now = Date.now();
    const names: { id: number; value: string }[] = await queryRunner.query(later('username'));
    for (const { id, value } of names) {
      for (let n = 2; ; n += 1) {
        const candidate = `${value.slice(0, 16 - String(n).length - 1)}-${n}`;
        const taken: unknown[] = await queryRunner.query(
          `SELECT 1 FROM \`users\` WHERE ${folded('`username`')} = ${folded('?')}`,
          [candidate],
        );
        if (taken.length === 0) {
          await queryRunner.query(`UPDATE \`users\` SET \`username\` = ?, \`updated_at\` = ? WHERE \`id\` = ?`, [
            candidate,
            now,
            id,
          ]);
          console.warn(`user ${id}: username "${value}" taken in another case, renamed to "${candidate}"`);
          break;
        }
      }
    }
    const emails: { id: number; value: string }[] = await queryRunner.query(later('email'));
    for (const { id, value } of emails) {
      await queryRunner.query(`UPDATE \`users\` SET \`email\` = NULL, \`email_verified\` = 0 WHERE \`id\` = ?`, [id]);
      console.warn(`user ${id}: email "${value}" used by an older account in another case, removed`);
    }
    await queryRunner.query(
      `ALTER TABLE \`users\` MODIFY \`username\` varchar(16) CHARACTER SET utf8mb4 COLLATE ${FOLD} NOT NULL, ` +
        `MODIFY \`email\` varchar(190) CHARACTER SET utf8mb4 COLLATE ${FOLD} NULL`,
    );
  }

  /** Nothing to undo: a case-insensitive collation is what the schema always meant. */
  public async down(): Promise<void> {}
}
