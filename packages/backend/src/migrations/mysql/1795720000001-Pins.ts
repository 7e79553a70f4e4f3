import type { MigrationInterface, QueryRunner } from 'typeorm';

/** messages.pinned_at / pinned_by and their room index; rooms.pins_admin_only. */
export class Pins1795720000001 implements MigrationInterface {
  name = 'Pins1795720000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `messages` ADD `pinned_at` bigint NULL, ADD `pinned_by` int NULL, ADD INDEX `ix_messages_room_pinned` (`room_id`, `pinned_at`)',
    );
    await queryRunner.query('ALTER TABLE `rooms` ADD `pins_admin_only` tinyint NOT NULL DEFAULT 0');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `rooms` DROP COLUMN `pins_admin_only`');
    await queryRunner.query(
      'ALTER TABLE `messages` DROP INDEX `ix_messages_room_pinned`, DROP COLUMN `pinned_by`, DROP COLUMN `pinned_at`',
    );
  }
}
