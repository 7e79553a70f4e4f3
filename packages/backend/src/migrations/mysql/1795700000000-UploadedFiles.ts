import { MigrationInterface, QueryRunner } from 'typeorm';

export class UploadedFiles1795700000000 implements MigrationInterface {
  name = 'UploadedFiles1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`uploaded_files\` (\`id\` int NOT NULL AUTO_INCREMENT, \`uploader_id\` int NOT NULL, \`message_id\` int NULL, \`position\` int NOT NULL DEFAULT '0', \`kind\` varchar(8) NOT NULL, \`name\` varchar(255) NOT NULL, \`mime\` varchar(127) NOT NULL, \`size\` bigint NOT NULL, \`width\` int NULL, \`height\` int NULL, \`has_preview\` tinyint NOT NULL DEFAULT 0, \`storage_key\` varchar(64) NOT NULL, \`created_at\` bigint NOT NULL, UNIQUE INDEX \`uq_uploaded_files_storage_key\` (\`storage_key\`), INDEX \`ix_uploaded_files_message\` (\`message_id\`, \`position\`), INDEX \`ix_uploaded_files_uploader\` (\`uploader_id\`, \`created_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`uploaded_files\` ADD CONSTRAINT \`fk_uploaded_files_uploader\` FOREIGN KEY (\`uploader_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`uploaded_files\` ADD CONSTRAINT \`fk_uploaded_files_message\` FOREIGN KEY (\`message_id\`) REFERENCES \`messages\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`uploaded_files\` DROP FOREIGN KEY \`fk_uploaded_files_message\``);
    await queryRunner.query(`ALTER TABLE \`uploaded_files\` DROP FOREIGN KEY \`fk_uploaded_files_uploader\``);
    await queryRunner.query(`DROP INDEX \`ix_uploaded_files_uploader\` ON \`uploaded_files\``);
    await queryRunner.query(`DROP INDEX \`ix_uploaded_files_message\` ON \`uploaded_files\``);
    await queryRunner.query(`DROP INDEX \`uq_uploaded_files_storage_key\` ON \`uploaded_files\``);
    await queryRunner.query(`DROP TABLE \`uploaded_files\``);
  }
}
