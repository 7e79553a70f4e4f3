import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * messages.pinned_at / pinned_by and their room index; rooms.pins_admin_only. ADD COLUMN instead of the
 * generated table rebuild: rebuilding `messages` would copy every row and cascade through its foreign keys.
 */
export class Pins1795720000001 implements MigrationInterface {
  name = 'Pins1795720000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD COLUMN "pinned_at" bigint`);
    await queryRunner.query(`ALTER TABLE "messages" ADD COLUMN "pinned_by" integer`);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_pinned" ON "messages" ("room_id", "pinned_at") `);
    await queryRunner.query(`ALTER TABLE "rooms" ADD COLUMN "pins_admin_only" boolean NOT NULL DEFAULT (0)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rooms" DROP COLUMN "pins_admin_only"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_pinned"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "pinned_by"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "pinned_at"`);
  }
}
