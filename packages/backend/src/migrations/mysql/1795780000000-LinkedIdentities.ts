import { MigrationInterface, QueryRunner } from "typeorm";

/** OpenID Connect identities linked to accounts (sign-in with a provider). */
export class LinkedIdentities1795780000000 implements MigrationInterface {
    name = 'LinkedIdentities1795780000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`linked_identities\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`issuer\` varchar(255) NOT NULL, \`subject\` varchar(255) NOT NULL, \`email\` varchar(190) NULL, \`created_at\` bigint NOT NULL, INDEX \`ix_linked_identities_user\` (\`user_id\`), UNIQUE INDEX \`uq_linked_identities_issuer_subject\` (\`issuer\`, \`subject\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`linked_identities\` ADD CONSTRAINT \`fk_linked_identities_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`linked_identities\` DROP FOREIGN KEY \`fk_linked_identities_user\``);
        await queryRunner.query(`DROP INDEX \`uq_linked_identities_issuer_subject\` ON \`linked_identities\``);
        await queryRunner.query(`DROP INDEX \`ix_linked_identities_user\` ON \`linked_identities\``);
        await queryRunner.query(`DROP TABLE \`linked_identities\``);
    }

}
