import { MigrationInterface, QueryRunner } from "typeorm";

/** Where users connect from (offline GeoIP) and the days they were active, for country flags and statistics. */
export class UserLocations1795840000000 implements MigrationInterface {
    name = 'UserLocations1795840000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`user_locations\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`ip\` varchar(45) NOT NULL, \`country_code\` varchar(2) NULL, \`country\` varchar(64) NULL, \`region\` varchar(64) NULL, \`city\` varchar(64) NULL, \`first_seen_at\` bigint NOT NULL, \`last_seen_at\` bigint NOT NULL, UNIQUE INDEX \`uq_user_locations_user_ip\` (\`user_id\`, \`ip\`), INDEX \`ix_user_locations_last_seen\` (\`last_seen_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`user_locations\` ADD CONSTRAINT \`fk_user_locations_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`CREATE TABLE \`user_active_days\` (\`day\` int NOT NULL, \`user_id\` int NOT NULL, PRIMARY KEY (\`day\`, \`user_id\`)) ENGINE=InnoDB`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`user_active_days\``);
        await queryRunner.query(`ALTER TABLE \`user_locations\` DROP FOREIGN KEY \`fk_user_locations_user\``);
        await queryRunner.query(`DROP INDEX \`ix_user_locations_last_seen\` ON \`user_locations\``);
        await queryRunner.query(`DROP INDEX \`uq_user_locations_user_ip\` ON \`user_locations\``);
        await queryRunner.query(`DROP TABLE \`user_locations\``);
    }

}
