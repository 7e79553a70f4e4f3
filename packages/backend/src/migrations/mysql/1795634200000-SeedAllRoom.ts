import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channel 1 and its main room 1, "all": every user joins it at sign-up and cannot leave it. */
export class SeedAllRoom1795634200000 implements MigrationInterface {
  name = 'SeedAllRoom1795634200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const now = Date.now();
    await queryRunner.query(
      `INSERT INTO channels (id, name, admin_id, created_at, deleted_at) VALUES (1, 'all', NULL, ?, NULL)`,
      [now],
    );
    await queryRunner.query(
      `INSERT INTO rooms (id, kind, name, channel_id, admin_id, p2p, direct_key, created_at, deleted_at) VALUES (1, 'channel', 'all', 1, NULL, 0, NULL, ?, NULL)`,
      [now],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM rooms WHERE id = 1`);
    await queryRunner.query(`DELETE FROM channels WHERE id = 1`);
  }
}
