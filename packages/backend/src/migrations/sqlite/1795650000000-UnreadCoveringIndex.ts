import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Unread counts read sender_id and deleted_at from (room_id, id, …) instead of one table row per message. */
export class UnreadCoveringIndex1795650000000 implements MigrationInterface {
  name = 'UnreadCoveringIndex1795650000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_messages_room_id"`);
    await queryRunner.query(
      `CREATE INDEX "ix_messages_room_id" ON "messages" ("room_id", "id", "sender_id", "deleted_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_messages_room_id"`);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_id" ON "messages" ("room_id", "id") `);
  }
}
