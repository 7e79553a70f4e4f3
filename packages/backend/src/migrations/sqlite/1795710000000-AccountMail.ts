import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * account_tokens (password-reset and email-verification links, stored hashed) and mail_failures (what
 * `pychat doctor` reports). Generated, then folded: the foreign key goes into CREATE TABLE instead of the
 * generated table rebuild.
 */
export class AccountMail1795710000000 implements MigrationInterface {
  name = 'AccountMail1795710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "kind" varchar(16) NOT NULL, "token_hash" varchar(64) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "fk_account_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_account_tokens_user" ON "account_tokens" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_account_tokens_hash" ON "account_tokens" ("token_hash") `);
    await queryRunner.query(
      `CREATE TABLE "mail_failures" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "created_at" bigint NOT NULL, "kind" varchar(32) NOT NULL, "error" varchar(500) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_mail_failures_created" ON "mail_failures" ("created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_mail_failures_created"`);
    await queryRunner.query(`DROP TABLE "mail_failures"`);
    await queryRunner.query(`DROP INDEX "uq_account_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "ix_account_tokens_user"`);
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
