import { MigrationInterface, QueryRunner } from "typeorm";

/** Where users connect from (offline GeoIP) and the days they were active, for country flags and statistics. */
export class UserLocations1795840000000 implements MigrationInterface {
    name = 'UserLocations1795840000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user_locations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "ip" varchar(45) NOT NULL, "country_code" varchar(2), "country" varchar(64), "region" varchar(64), "city" varchar(64), "first_seen_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL, CONSTRAINT "fk_user_locations_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_locations_user_ip" ON "user_locations" ("user_id", "ip") `);
        await queryRunner.query(`CREATE INDEX "ix_user_locations_last_seen" ON "user_locations" ("last_seen_at") `);
        await queryRunner.query(`CREATE TABLE "user_active_days" ("day" integer NOT NULL, "user_id" integer NOT NULL, PRIMARY KEY ("day", "user_id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user_active_days"`);
        await queryRunner.query(`DROP INDEX "ix_user_locations_last_seen"`);
        await queryRunner.query(`DROP INDEX "uq_user_locations_user_ip"`);
        await queryRunner.query(`DROP TABLE "user_locations"`);
    }
}
