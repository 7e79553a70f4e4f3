import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * messages.reply_to_id (an inline reply's answered message, same room; no foreign key: messages are only ever
 * soft-deleted, and a room's removal cascades over both); users.status / status_text (away, dnd).
 */
export class RepliesAndStatus1795850000000 implements MigrationInterface {
  name = 'RepliesAndStatus1795850000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `messages` ADD `reply_to_id` int NULL');
    await queryRunner.query('ALTER TABLE `users` ADD `status` varchar(8) NULL, ADD `status_text` varchar(100) NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `users` DROP COLUMN `status_text`, DROP COLUMN `status`');
    await queryRunner.query('ALTER TABLE `messages` DROP COLUMN `reply_to_id`');
  }
}
