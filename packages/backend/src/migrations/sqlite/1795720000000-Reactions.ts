import type { MigrationInterface, QueryRunner } from 'typeorm';

/** message_reactions: one row per (message, emoji, user); the emoji as hex code points (see ReactionEntity). */
export class Reactions1795720000000 implements MigrationInterface {
  name = 'Reactions1795720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message_reactions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "user_id" integer NOT NULL, "emoji" varchar(160) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "fk_message_reactions_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_message_reactions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_reactions_user" ON "message_reactions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_message_reactions_message_emoji_user" ON "message_reactions" ("message_id", "emoji", "user_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_message_reactions_message_emoji_user"`);
    await queryRunner.query(`DROP INDEX "ix_message_reactions_user"`);
    await queryRunner.query(`DROP TABLE "message_reactions"`);
  }
}
