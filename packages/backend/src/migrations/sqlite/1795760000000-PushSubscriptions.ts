import { MigrationInterface, QueryRunner } from "typeorm";

/** Web Push subscriptions. The generated version created the table twice (to add the foreign keys); this is one. */
export class PushSubscriptions1795760000000 implements MigrationInterface {
    name = 'PushSubscriptions1795760000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "push_subscriptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "session_id" integer NOT NULL, "endpoint_hash" varchar(64) NOT NULL, "endpoint" varchar(1024) NOT NULL, "p256dh" varchar(100) NOT NULL, "auth" varchar(32) NOT NULL, "preview" boolean NOT NULL DEFAULT (1), "created_at" bigint NOT NULL, CONSTRAINT "fk_push_subscriptions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_push_subscriptions_session" FOREIGN KEY ("session_id") REFERENCES "sessions" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id") `);
        await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_session" ON "push_subscriptions" ("session_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_push_subscriptions_endpoint_hash" ON "push_subscriptions" ("endpoint_hash") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "uq_push_subscriptions_endpoint_hash"`);
        await queryRunner.query(`DROP INDEX "ix_push_subscriptions_session"`);
        await queryRunner.query(`DROP INDEX "ix_push_subscriptions_user"`);
        await queryRunner.query(`DROP TABLE "push_subscriptions"`);
    }
}
