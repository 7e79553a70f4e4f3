import type { MigrationInterface, QueryRunner } from 'typeorm';

/** account_tokens (mail links, stored hashed) and mail_failures (read by `pychat doctor`). */
export class AccountMail1795710000000 implements MigrationInterface {
  name = 'AccountMail1795710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`account_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`kind\` varchar(16) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`email\` varchar(190) NULL, \`created_at\` bigint NOT NULL, \`expires_at\` bigint NOT NULL, INDEX \`ix_account_tokens_user\` (\`user_id\`), UNIQUE INDEX \`uq_account_tokens_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`mail_failures\` (\`id\` int NOT NULL AUTO_INCREMENT, \`created_at\` bigint NOT NULL, \`kind\` varchar(32) NOT NULL, \`error\` varchar(500) NOT NULL, INDEX \`ix_mail_failures_created\` (\`created_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`account_tokens\` ADD CONSTRAINT \`fk_account_tokens_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`account_tokens\` DROP FOREIGN KEY \`fk_account_tokens_user\``);
    await queryRunner.query(`DROP INDEX \`ix_mail_failures_created\` ON \`mail_failures\``);
    await queryRunner.query(`DROP TABLE \`mail_failures\``);
    await queryRunner.query(`DROP INDEX \`uq_account_tokens_hash\` ON \`account_tokens\``);
    await queryRunner.query(`DROP INDEX \`ix_account_tokens_user\` ON \`account_tokens\``);
    await queryRunner.query(`DROP TABLE \`account_tokens\``);
  }
}
