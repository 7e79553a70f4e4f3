import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Site admins and deactivated accounts (users.is_admin, users.deactivated_at) and invite links. The admin of the
 * "all" channel (what `pychat create-user --admin` made before) becomes a site admin.
 */
export class SiteAdminsInvites1795830000000 implements MigrationInterface {
    name = 'SiteAdminsInvites1795830000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`users\` ADD \`is_admin\` tinyint NOT NULL DEFAULT 0, ADD \`deactivated_at\` bigint NULL`);
        await queryRunner.query(`UPDATE \`users\` u JOIN \`channels\` c ON c.\`admin_id\` = u.\`id\` AND c.\`id\` = 1 SET u.\`is_admin\` = 1`);
        await queryRunner.query(`CREATE TABLE \`invites\` (\`id\` int NOT NULL AUTO_INCREMENT, \`token_hash\` varchar(64) NOT NULL, \`created_by\` int NULL, \`created_at\` bigint NOT NULL, \`expires_at\` bigint NULL, \`max_uses\` int NOT NULL, \`uses\` int NOT NULL DEFAULT 0, \`revoked_at\` bigint NULL, UNIQUE INDEX \`uq_invites_token_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`invites\` ADD CONSTRAINT \`fk_invites_created_by\` FOREIGN KEY (\`created_by\`) REFERENCES \`users\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`invites\` DROP FOREIGN KEY \`fk_invites_created_by\``);
        await queryRunner.query(`DROP INDEX \`uq_invites_token_hash\` ON \`invites\``);
        await queryRunner.query(`DROP TABLE \`invites\``);
        await queryRunner.query(`ALTER TABLE \`users\` DROP COLUMN \`deactivated_at\`, DROP COLUMN \`is_admin\``);
    }
}
