import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * channels.is_public and channels.topic: public channels are listed in the directory and joinable by anyone;
 * existing channels stay invite-only.
 */
export class PublicChannels1795680000000 implements MigrationInterface {
  name = 'PublicChannels1795680000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "ALTER TABLE `channels` ADD `is_public` tinyint NOT NULL DEFAULT 0, ADD `topic` varchar(200) NOT NULL DEFAULT ''",
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `channels` DROP COLUMN `topic`, DROP COLUMN `is_public`');
  }
}
