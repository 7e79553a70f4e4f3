import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Site admins and deactivated accounts (users.is_admin, users.deactivated_at) and invite links. The admin of the
 * "all" channel (what `pychat create-user --admin` made before) becomes a site admin.
 */
export class SiteAdminsInvites1795830000000 implements MigrationInterface {
    name = 'SiteAdminsInvites1795830000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "is_admin" boolean NOT NULL DEFAULT (0)`);
        await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "deactivated_at" bigint`);
        await queryRunner.query(`UPDATE "users" SET "is_admin" = 1 WHERE "id" = (SELECT "admin_id" FROM "channels" WHERE "id" = 1)`);
        await queryRunner.query(`CREATE TABLE "invites" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "token_hash" varchar(64) NOT NULL, "created_by" integer, "created_at" bigint NOT NULL, "expires_at" bigint, "max_uses" integer NOT NULL, "uses" integer NOT NULL DEFAULT (0), "revoked_at" bigint, CONSTRAINT "fk_invites_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invites_token_hash" ON "invites" ("token_hash") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "uq_invites_token_hash"`);
        await queryRunner.query(`DROP TABLE "invites"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "deactivated_at"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "is_admin"`);
    }
}
