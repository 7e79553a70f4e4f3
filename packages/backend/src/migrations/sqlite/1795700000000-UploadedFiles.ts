import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * uploaded_files: files attached to messages (issue 14). Written as one CREATE with its foreign keys instead of
 * the generated create-then-rebuild.
 */
export class UploadedFiles1795700000000 implements MigrationInterface {
  name = 'UploadedFiles1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "uploaded_files" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "uploader_id" integer NOT NULL, "message_id" integer, "position" integer NOT NULL DEFAULT (0), "kind" varchar(8) NOT NULL, "name" varchar(255) NOT NULL, "mime" varchar(127) NOT NULL, "size" bigint NOT NULL, "width" integer, "height" integer, "has_preview" boolean NOT NULL DEFAULT (0), "storage_key" varchar(64) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "fk_uploaded_files_uploader" FOREIGN KEY ("uploader_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_uploaded_files_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_uploaded_files_storage_key" ON "uploaded_files" ("storage_key") `);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_message" ON "uploaded_files" ("message_id", "position") `);
    await queryRunner.query(
      `CREATE INDEX "ix_uploaded_files_uploader" ON "uploaded_files" ("uploader_id", "created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "uploaded_files"`);
  }
}
