import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the five tables that nothing read or wrote since Init: uploaded_files, push_subscriptions,
 * verification_tokens, ip_addresses, user_ips. No code ever wrote a row, so no data is lost. The issues that bring
 * their features (uploads; accounts with email verification; web push; sign-in countries) design their own
 * tables. `down` recreates them as Init left them.
 */
export class DropUnusedTables1795670000000 implements MigrationInterface {
  name = 'DropUnusedTables1795670000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_ips"`);
    await queryRunner.query(`DROP TABLE "uploaded_files"`);
    await queryRunner.query(`DROP TABLE "verification_tokens"`);
    await queryRunner.query(`DROP TABLE "push_subscriptions"`);
    await queryRunner.query(`DROP TABLE "ip_addresses"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ip_addresses" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ip" varchar(45) NOT NULL, "country_code" varchar(16), "country" varchar(64), "region" varchar(64), "city" varchar(64), "isp" varchar(255), "lat" double, "lon" double, "timezone" varchar(64), "resolved_at" bigint)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_ip_addresses_ip" ON "ip_addresses" ("ip") `);
    await queryRunner.query(
      `CREATE TABLE "push_subscriptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "endpoint" varchar(500) NOT NULL, "p256dh" varchar(255) NOT NULL, "auth" varchar(255) NOT NULL, "user_agent" varchar(255), "inactive" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, CONSTRAINT "fk_push_subscriptions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_push_subscriptions_endpoint" ON "push_subscriptions" ("endpoint") `,
    );
    await queryRunner.query(
      `CREATE TABLE "uploaded_files" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "message_id" integer, "kind" varchar(16) NOT NULL, "symbol" varchar(1), "path" varchar(255) NOT NULL, "original_name" varchar(255) NOT NULL, "mime_type" varchar(127) NOT NULL, "size" bigint NOT NULL, "preview_file_id" integer, "created_at" bigint NOT NULL, CONSTRAINT "fk_uploaded_files_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_uploaded_files_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_user" ON "uploaded_files" ("user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_message" ON "uploaded_files" ("message_id") `);
    await queryRunner.query(
      `CREATE TABLE "user_ips" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "ip_id" integer NOT NULL, "first_seen_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL, CONSTRAINT "fk_user_ips_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_user_ips_ip" FOREIGN KEY ("ip_id") REFERENCES "ip_addresses" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_user_ips_ip" ON "user_ips" ("ip_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_ips_user_ip" ON "user_ips" ("user_id", "ip_id") `);
    await queryRunner.query(
      `CREATE TABLE "verification_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "kind" varchar(16) NOT NULL, "token_hash" varchar(64) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "fk_verification_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_verification_tokens_user" ON "verification_tokens" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_verification_tokens_hash" ON "verification_tokens" ("token_hash") `,
    );
  }
}
