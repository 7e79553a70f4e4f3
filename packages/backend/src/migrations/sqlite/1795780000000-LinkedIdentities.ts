import { MigrationInterface, QueryRunner } from "typeorm";

/** OpenID Connect identities linked to accounts (sign-in with a provider). */
export class LinkedIdentities1795780000000 implements MigrationInterface {
    name = 'LinkedIdentities1795780000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "linked_identities" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "issuer" varchar(255) NOT NULL, "subject" varchar(255) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, CONSTRAINT "fk_linked_identities_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`CREATE INDEX "ix_linked_identities_user" ON "linked_identities" ("user_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_linked_identities_issuer_subject" ON "linked_identities" ("issuer", "subject") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "uq_linked_identities_issuer_subject"`);
        await queryRunner.query(`DROP INDEX "ix_linked_identities_user"`);
        await queryRunner.query(`DROP TABLE "linked_identities"`);
    }
}
