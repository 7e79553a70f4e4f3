import { MigrationInterface, QueryRunner } from "typeorm";

export class PushSubscriptions1795760000000 implements MigrationInterface {
    name = 'PushSubscriptions1795760000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`push_subscriptions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`session_id\` int NOT NULL, \`endpoint_hash\` varchar(64) NOT NULL, \`endpoint\` varchar(1024) NOT NULL, \`p256dh\` varchar(100) NOT NULL, \`auth\` varchar(32) NOT NULL, \`preview\` tinyint NOT NULL DEFAULT 1, \`created_at\` bigint NOT NULL, INDEX \`ix_push_subscriptions_user\` (\`user_id\`), INDEX \`ix_push_subscriptions_session\` (\`session_id\`), UNIQUE INDEX \`uq_push_subscriptions_endpoint_hash\` (\`endpoint_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`push_subscriptions\` ADD CONSTRAINT \`fk_push_subscriptions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`push_subscriptions\` ADD CONSTRAINT \`fk_push_subscriptions_session\` FOREIGN KEY (\`session_id\`) REFERENCES \`sessions\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`push_subscriptions\` DROP FOREIGN KEY \`fk_push_subscriptions_session\``);
        await queryRunner.query(`ALTER TABLE \`push_subscriptions\` DROP FOREIGN KEY \`fk_push_subscriptions_user\``);
        await queryRunner.query(`DROP INDEX \`uq_push_subscriptions_endpoint_hash\` ON \`push_subscriptions\``);
        await queryRunner.query(`DROP INDEX \`ix_push_subscriptions_session\` ON \`push_subscriptions\``);
        await queryRunner.query(`DROP INDEX \`ix_push_subscriptions_user\` ON \`push_subscriptions\``);
        await queryRunner.query(`DROP TABLE \`push_subscriptions\``);
    }

}
