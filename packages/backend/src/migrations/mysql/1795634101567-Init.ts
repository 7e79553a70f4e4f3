import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795634101567 implements MigrationInterface {
  name = 'Init1795634101567';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`users\` (\`id\` int NOT NULL AUTO_INCREMENT, \`username\` varchar(16) NOT NULL, \`email\` varchar(190) NULL, \`email_verified\` tinyint NOT NULL DEFAULT 0, \`password_hash\` varchar(255) NULL, \`sex\` varchar(8) NOT NULL DEFAULT 'secret', \`thumbnail\` varchar(255) NULL, \`created_at\` bigint NOT NULL, \`last_seen_at\` bigint NULL, UNIQUE INDEX \`uq_users_username\` (\`username\`), UNIQUE INDEX \`uq_users_email\` (\`email\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`channels\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(16) NOT NULL, \`admin_id\` int NULL, \`created_at\` bigint NOT NULL, \`deleted_at\` bigint NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`ip_addresses\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ip\` varchar(45) NOT NULL, \`country_code\` varchar(16) NULL, \`country\` varchar(64) NULL, \`region\` varchar(64) NULL, \`city\` varchar(64) NULL, \`isp\` varchar(255) NULL, \`lat\` double NULL, \`lon\` double NULL, \`timezone\` varchar(64) NULL, \`resolved_at\` bigint NULL, UNIQUE INDEX \`uq_ip_addresses_ip\` (\`ip\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`rooms\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(16) NOT NULL, \`name\` varchar(16) NULL, \`channel_id\` int NULL, \`admin_id\` int NULL, \`p2p\` tinyint NOT NULL DEFAULT 0, \`direct_key\` varchar(32) NULL, \`created_at\` bigint NOT NULL, \`deleted_at\` bigint NULL, INDEX \`ix_rooms_channel\` (\`channel_id\`), UNIQUE INDEX \`uq_rooms_direct_key\` (\`direct_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`messages\` (\`id\` int NOT NULL AUTO_INCREMENT, \`room_id\` int NOT NULL, \`sender_id\` int NOT NULL, \`content\` text NULL, \`local_id\` varchar(64) NULL, \`parent_id\` int NULL, \`thread_count\` int NOT NULL DEFAULT '0', \`symbol\` varchar(1) NULL, \`created_at\` bigint NOT NULL, \`updated_at\` bigint NOT NULL, \`edited_at\` bigint NULL, \`deleted_at\` bigint NULL, UNIQUE INDEX \`uq_messages_sender_local\` (\`sender_id\`, \`local_id\`), INDEX \`ix_messages_room_updated\` (\`room_id\`, \`updated_at\`), INDEX \`ix_messages_parent_id\` (\`parent_id\`, \`id\`), INDEX \`ix_messages_room_parent_id\` (\`room_id\`, \`parent_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`message_mentions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`message_id\` int NOT NULL, \`user_id\` int NOT NULL, \`symbol\` varchar(1) NULL, INDEX \`ix_message_mentions_user\` (\`user_id\`), UNIQUE INDEX \`uq_message_mentions_message_user\` (\`message_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`message_edits\` (\`id\` int NOT NULL AUTO_INCREMENT, \`message_id\` int NOT NULL, \`content\` text NULL, \`edited_at\` bigint NOT NULL, INDEX \`ix_message_edits_message\` (\`message_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`push_subscriptions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`endpoint\` varchar(500) NOT NULL, \`p256dh\` varchar(255) NOT NULL, \`auth\` varchar(255) NOT NULL, \`user_agent\` varchar(255) NULL, \`inactive\` tinyint NOT NULL DEFAULT 0, \`created_at\` bigint NOT NULL, INDEX \`ix_push_subscriptions_user\` (\`user_id\`), UNIQUE INDEX \`uq_push_subscriptions_endpoint\` (\`endpoint\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`room_members\` (\`id\` int NOT NULL AUTO_INCREMENT, \`room_id\` int NOT NULL, \`user_id\` int NOT NULL, \`volume\` int NOT NULL DEFAULT '80', \`notifications\` tinyint NOT NULL DEFAULT 1, \`last_read_message_id\` bigint NOT NULL DEFAULT '0', \`joined_at\` bigint NOT NULL, INDEX \`ix_room_members_user\` (\`user_id\`), UNIQUE INDEX \`uq_room_members_room_user\` (\`room_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`sessions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`created_at\` bigint NOT NULL, \`last_used_at\` bigint NOT NULL, \`user_agent\` varchar(255) NULL, \`ip\` varchar(45) NULL, INDEX \`ix_sessions_user\` (\`user_id\`), UNIQUE INDEX \`uq_sessions_token_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`uploaded_files\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`message_id\` int NULL, \`kind\` varchar(16) NOT NULL, \`symbol\` varchar(1) NULL, \`path\` varchar(255) NOT NULL, \`original_name\` varchar(255) NOT NULL, \`mime_type\` varchar(127) NOT NULL, \`size\` bigint NOT NULL, \`preview_file_id\` int NULL, \`created_at\` bigint NOT NULL, INDEX \`ix_uploaded_files_user\` (\`user_id\`), INDEX \`ix_uploaded_files_message\` (\`message_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`user_ips\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`ip_id\` int NOT NULL, \`first_seen_at\` bigint NOT NULL, \`last_seen_at\` bigint NOT NULL, INDEX \`ix_user_ips_ip\` (\`ip_id\`), UNIQUE INDEX \`uq_user_ips_user_ip\` (\`user_id\`, \`ip_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`user_profiles\` (\`user_id\` int NOT NULL, \`name\` varchar(30) NULL, \`surname\` varchar(30) NULL, \`city\` varchar(50) NULL, \`birthday\` varchar(10) NULL, \`contacts\` varchar(100) NULL, \`photo\` varchar(255) NULL, PRIMARY KEY (\`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`user_settings\` (\`user_id\` int NOT NULL, \`show_when_i_typing\` tinyint NOT NULL DEFAULT 1, \`embedded_youtube\` tinyint NOT NULL DEFAULT 1, \`highlight_code\` tinyint NOT NULL DEFAULT 1, \`message_sound\` tinyint NOT NULL DEFAULT 1, \`incoming_file_call_sound\` tinyint NOT NULL DEFAULT 1, \`online_change_sound\` tinyint NOT NULL DEFAULT 0, \`logs\` varchar(16) NOT NULL DEFAULT 'error', \`theme\` varchar(16) NOT NULL DEFAULT 'dark', PRIMARY KEY (\`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`verification_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`kind\` varchar(16) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`email\` varchar(190) NULL, \`created_at\` bigint NOT NULL, \`expires_at\` bigint NOT NULL, \`used_at\` bigint NULL, INDEX \`ix_verification_tokens_user\` (\`user_id\`), UNIQUE INDEX \`uq_verification_tokens_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`channels\` ADD CONSTRAINT \`fk_channels_admin\` FOREIGN KEY (\`admin_id\`) REFERENCES \`users\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`rooms\` ADD CONSTRAINT \`fk_rooms_channel\` FOREIGN KEY (\`channel_id\`) REFERENCES \`channels\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`rooms\` ADD CONSTRAINT \`fk_rooms_admin\` FOREIGN KEY (\`admin_id\`) REFERENCES \`users\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`messages\` ADD CONSTRAINT \`fk_messages_room\` FOREIGN KEY (\`room_id\`) REFERENCES \`rooms\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`messages\` ADD CONSTRAINT \`fk_messages_sender\` FOREIGN KEY (\`sender_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`messages\` ADD CONSTRAINT \`fk_messages_parent\` FOREIGN KEY (\`parent_id\`) REFERENCES \`messages\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`message_mentions\` ADD CONSTRAINT \`fk_message_mentions_message\` FOREIGN KEY (\`message_id\`) REFERENCES \`messages\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`message_mentions\` ADD CONSTRAINT \`fk_message_mentions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`message_edits\` ADD CONSTRAINT \`fk_message_edits_message\` FOREIGN KEY (\`message_id\`) REFERENCES \`messages\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`push_subscriptions\` ADD CONSTRAINT \`fk_push_subscriptions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`room_members\` ADD CONSTRAINT \`fk_room_members_room\` FOREIGN KEY (\`room_id\`) REFERENCES \`rooms\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`room_members\` ADD CONSTRAINT \`fk_room_members_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`sessions\` ADD CONSTRAINT \`fk_sessions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
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
      `ALTER TABLE \`user_profiles\` ADD CONSTRAINT \`fk_user_profiles_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`user_settings\` ADD CONSTRAINT \`fk_user_settings_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`verification_tokens\` ADD CONSTRAINT \`fk_verification_tokens_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`verification_tokens\` DROP FOREIGN KEY \`fk_verification_tokens_user\``);
    await queryRunner.query(`ALTER TABLE \`user_settings\` DROP FOREIGN KEY \`fk_user_settings_user\``);
    await queryRunner.query(`ALTER TABLE \`user_profiles\` DROP FOREIGN KEY \`fk_user_profiles_user\``);
    await queryRunner.query(`ALTER TABLE \`user_ips\` DROP FOREIGN KEY \`fk_user_ips_ip\``);
    await queryRunner.query(`ALTER TABLE \`user_ips\` DROP FOREIGN KEY \`fk_user_ips_user\``);
    await queryRunner.query(`ALTER TABLE \`uploaded_files\` DROP FOREIGN KEY \`fk_uploaded_files_message\``);
    await queryRunner.query(`ALTER TABLE \`uploaded_files\` DROP FOREIGN KEY \`fk_uploaded_files_user\``);
    await queryRunner.query(`ALTER TABLE \`sessions\` DROP FOREIGN KEY \`fk_sessions_user\``);
    await queryRunner.query(`ALTER TABLE \`room_members\` DROP FOREIGN KEY \`fk_room_members_user\``);
    await queryRunner.query(`ALTER TABLE \`room_members\` DROP FOREIGN KEY \`fk_room_members_room\``);
    await queryRunner.query(`ALTER TABLE \`push_subscriptions\` DROP FOREIGN KEY \`fk_push_subscriptions_user\``);
    await queryRunner.query(`ALTER TABLE \`message_edits\` DROP FOREIGN KEY \`fk_message_edits_message\``);
    await queryRunner.query(`ALTER TABLE \`message_mentions\` DROP FOREIGN KEY \`fk_message_mentions_user\``);
    await queryRunner.query(`ALTER TABLE \`message_mentions\` DROP FOREIGN KEY \`fk_message_mentions_message\``);
    await queryRunner.query(`ALTER TABLE \`messages\` DROP FOREIGN KEY \`fk_messages_parent\``);
    await queryRunner.query(`ALTER TABLE \`messages\` DROP FOREIGN KEY \`fk_messages_sender\``);
    await queryRunner.query(`ALTER TABLE \`messages\` DROP FOREIGN KEY \`fk_messages_room\``);
    await queryRunner.query(`ALTER TABLE \`rooms\` DROP FOREIGN KEY \`fk_rooms_admin\``);
    await queryRunner.query(`ALTER TABLE \`rooms\` DROP FOREIGN KEY \`fk_rooms_channel\``);
    await queryRunner.query(`ALTER TABLE \`channels\` DROP FOREIGN KEY \`fk_channels_admin\``);
    await queryRunner.query(`DROP INDEX \`uq_verification_tokens_hash\` ON \`verification_tokens\``);
    await queryRunner.query(`DROP INDEX \`ix_verification_tokens_user\` ON \`verification_tokens\``);
    await queryRunner.query(`DROP TABLE \`verification_tokens\``);
    await queryRunner.query(`DROP TABLE \`user_settings\``);
    await queryRunner.query(`DROP TABLE \`user_profiles\``);
    await queryRunner.query(`DROP INDEX \`uq_user_ips_user_ip\` ON \`user_ips\``);
    await queryRunner.query(`DROP INDEX \`ix_user_ips_ip\` ON \`user_ips\``);
    await queryRunner.query(`DROP TABLE \`user_ips\``);
    await queryRunner.query(`DROP INDEX \`ix_uploaded_files_message\` ON \`uploaded_files\``);
    await queryRunner.query(`DROP INDEX \`ix_uploaded_files_user\` ON \`uploaded_files\``);
    await queryRunner.query(`DROP TABLE \`uploaded_files\``);
    await queryRunner.query(`DROP INDEX \`uq_sessions_token_hash\` ON \`sessions\``);
    await queryRunner.query(`DROP INDEX \`ix_sessions_user\` ON \`sessions\``);
    await queryRunner.query(`DROP TABLE \`sessions\``);
    await queryRunner.query(`DROP INDEX \`uq_room_members_room_user\` ON \`room_members\``);
    await queryRunner.query(`DROP INDEX \`ix_room_members_user\` ON \`room_members\``);
    await queryRunner.query(`DROP TABLE \`room_members\``);
    await queryRunner.query(`DROP INDEX \`uq_push_subscriptions_endpoint\` ON \`push_subscriptions\``);
    await queryRunner.query(`DROP INDEX \`ix_push_subscriptions_user\` ON \`push_subscriptions\``);
    await queryRunner.query(`DROP TABLE \`push_subscriptions\``);
    await queryRunner.query(`DROP INDEX \`ix_message_edits_message\` ON \`message_edits\``);
    await queryRunner.query(`DROP TABLE \`message_edits\``);
    await queryRunner.query(`DROP INDEX \`uq_message_mentions_message_user\` ON \`message_mentions\``);
    await queryRunner.query(`DROP INDEX \`ix_message_mentions_user\` ON \`message_mentions\``);
    await queryRunner.query(`DROP TABLE \`message_mentions\``);
    await queryRunner.query(`DROP INDEX \`ix_messages_room_parent_id\` ON \`messages\``);
    await queryRunner.query(`DROP INDEX \`ix_messages_parent_id\` ON \`messages\``);
    await queryRunner.query(`DROP INDEX \`ix_messages_room_updated\` ON \`messages\``);
    await queryRunner.query(`DROP INDEX \`uq_messages_sender_local\` ON \`messages\``);
    await queryRunner.query(`DROP TABLE \`messages\``);
    await queryRunner.query(`DROP INDEX \`uq_rooms_direct_key\` ON \`rooms\``);
    await queryRunner.query(`DROP INDEX \`ix_rooms_channel\` ON \`rooms\``);
    await queryRunner.query(`DROP TABLE \`rooms\``);
    await queryRunner.query(`DROP INDEX \`uq_ip_addresses_ip\` ON \`ip_addresses\``);
    await queryRunner.query(`DROP TABLE \`ip_addresses\``);
    await queryRunner.query(`DROP TABLE \`channels\``);
    await queryRunner.query(`DROP INDEX \`uq_users_email\` ON \`users\``);
    await queryRunner.query(`DROP INDEX \`uq_users_username\` ON \`users\``);
    await queryRunner.query(`DROP TABLE \`users\``);
  }
}
