import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * messages.reply_to_id; users.status / status_text. ADD COLUMN instead of the generated table rebuild:
 * rebuilding `messages` would copy every row and cascade through its foreign keys.
 */
export class RepliesAndStatus1795850000000 implements MigrationInterface {
  name = 'RepliesAndStatus1795850000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD COLUMN "reply_to_id" integer`);
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "status" varchar(8)`);
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "status_text" varchar(100)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "status_text"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "status"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "reply_to_id"`);
  }
}
