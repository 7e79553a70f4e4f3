import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.updated_at: reconnecting clients ask for the users changed since their last session.ready instead of
 * the whole directory. messages (room_id, id): a room's newest message id in one seek.
 * ADD COLUMN instead of the generated table rebuild: dropping `users` would cascade to every table that
 * references it.
 */
export class DirectorySync1795644855593 implements MigrationInterface {
  name = 'DirectorySync1795644855593';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "updated_at" bigint NOT NULL DEFAULT (0)`);
    await queryRunner.query(`UPDATE "users" SET "updated_at" = "created_at"`);
    await queryRunner.query(`CREATE INDEX "ix_users_updated_at" ON "users" ("updated_at") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_id" ON "messages" ("room_id", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_messages_room_id"`);
    await queryRunner.query(`DROP INDEX "ix_users_updated_at"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "updated_at"`);
  }
}
