import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usernames and emails unique in any case: the unique indexes compare with NOCASE, so two concurrent
 * sign-ups of "Name" and "name" cannot both insert (the availability check before the insert is not atomic).
 * NOCASE folds ASCII only; the protocol's usernames and emails are ASCII. An index, not the column's
 * collation: changing a column means rebuilding `users`, which would cascade to every table that references it.
 *
 * Rows that already collide would fail the new index. The oldest account keeps its name; each later one is
 * renamed to `<name>-2`, `-3`, … (the first free one, cut to 16 characters) and loses a colliding email
 * (NULL, unverified), so it signs in by its new name. Each change is printed to stderr for the operator.
 */
export class CaseInsensitiveNames1795660000000 implements MigrationInterface {
  name = 'CaseInsensitiveNames1795660000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const later = (column: string) =>
      `SELECT "id", "${column}" AS "value" FROM "users" AS "u" WHERE EXISTS (SELECT 1 FROM "users" AS "v" ` +
      `WHERE "v"."id" < "u"."id" AND "v"."${column}" = "u"."${column}" COLLATE NOCASE) ORDER BY "id"`;
    const now = Date.now();
    const names: { id: number; value: string }[] = await queryRunner.query(later('username'));
    for (const { id, value } of names) {
      for (let n = 2; ; n += 1) {
        const candidate = `${value.slice(0, 16 - String(n).length - 1)}-${n}`;
        const taken: unknown[] = await queryRunner.query(`SELECT 1 FROM "users" WHERE "username" = ? COLLATE NOCASE`, [
          candidate,
        ]);
        if (taken.length === 0) {
          await queryRunner.query(`UPDATE "users" SET "username" = ?, "updated_at" = ? WHERE "id" = ?`, [
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
      await queryRunner.query(`UPDATE "users" SET "email" = NULL, "email_verified" = 0 WHERE "id" = ?`, [id]);
      console.warn(`user ${id}: email "${value}" used by an older account in another case, removed`);
    }
    await queryRunner.query(`DROP INDEX "uq_users_username"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username" ON "users" ("username" COLLATE NOCASE) `);
    await queryRunner.query(`DROP INDEX "uq_users_email"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email" COLLATE NOCASE) `);
  }

  /** Back to case-sensitive indexes; renamed users keep their new names. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_users_email"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email") `);
    await queryRunner.query(`DROP INDEX "uq_users_username"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username" ON "users" ("username") `);
  }
}
