import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the five tables that nothing read or wrote since Init: uploaded_files, push_subscriptions,
 * verification_tokens, ip_addresses, user_ips. No code ever wrote a row, so no data is lost. The issues that bring
 * their features (uploads; accounts with email verification; web push; sign-in countries) design their own
 * tables. `down` recreates them as Init left them.
 */
export class DropUnusedTables1795670000000 implements MigrationInterface {
  name = 'DropUnusedTables1795670000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`user_ips\``);
    await queryRunner.query(`DROP TABLE \`uploaded_files\``);
    await queryRunner.query(`DROP TABLE \`verification_tokens\``);
    await queryRunner.query(`DROP TABLE \`push_subscriptions\``);
    await queryRunner.query(`DROP TABLE \`ip_addresses\``);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`ip_addresses\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ip\` varchar(45) NOT NULL, \`country_code\` varchar(16) NULL, \`country\` varchar(64) NULL, \`region\` varchar(64) NULL, \`city\` varchar(64) NULL, \`isp\` varchar(255) NULL, \`lat\` double NULL, \`lon\` double NULL, \`timezone\` varchar(64) NULL, \`resolved_at\` bigint NULL, UNIQUE INDEX \`uq_ip_addresses_ip\` (\`ip\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`push_subscriptions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`endpoint\` varchar(500) NOT NULL, \`p256dh\` varchar(255) NOT NULL, \`auth\` varchar(255) NOT NULL, \`user_agent\` varchar(255) NULL, \`inactive\` tinyint NOT NULL DEFAULT 0, \`created_at\` bigint NOT NULL, INDEX \`ix_push_subscriptions_user\` (\`user_id\`), UNIQUE INDEX \`uq_push_subscriptions_endpoint\` (\`endpoint\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`uploaded_files\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`message_id\` int NULL, \`kind\` varchar(16) NOT NULL, \`symbol\` varchar(1) NULL, \`path\` varchar(255) NOT NULL, \`original_name\` varchar(255) NOT NULL, \`mime_type\` varchar(127) NOT NULL, \`size\` bigint NOT NULL, \`preview_file_id\` int NULL, \`created_at\` bigint NOT NULL, INDEX \`ix_uploaded_files_user\` (\`user_id\`), INDEX \`ix_uploaded_files_message\` (\`message_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`user_ips\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`ip_id\` int NOT NULL, \`first_seen_at\` bigint NOT NULL, \`last_seen_at\` bigint NOT NULL, INDEX \`ix_user_ips_ip\` (\`ip_id\`), UNIQUE INDEX \`uq_user_ips_user_ip\` (\`user_id\`, \`ip_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`verification_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`kind\` varchar(16) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`email\` varchar(190) NULL, \`created_at\` bigint NOT NULL, \`expires_at\` bigint NOT NULL, \`used_at\` bigint NULL, INDEX \`ix_verification_tokens_user\` (\`user_id\`), UNIQUE INDEX \`uq_verification_tokens_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`push_subscriptions\` ADD CONSTRAINT \`fk_push_subscriptions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`uploaded_files\` ADD CONSTRAINT \`fk_uploaded_files_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`uploaded_files\` ADD CONSTRAINT \`fk_uploaded_files_message\` FOREIGN KEY (\`message_id\`) REFERENCES \`messages\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`user_ips\` ADD CONSTRAINT \`fk_user_ips_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`user_ips\` ADD CONSTRAINT \`fk_user_ips_ip\` FOREIGN KEY (\`ip_id\`) REFERENCES \`ip_addresses\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`verification_tokens\` ADD CONSTRAINT \`fk_verification_tokens_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
