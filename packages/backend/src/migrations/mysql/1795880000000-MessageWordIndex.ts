import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * message.search on a word index. InnoDB adds a hidden FTS_DOC_ID column with the first FULLTEXT index of a
 * table: this rebuilds `messages` once (minutes on a large history; the table stays readable meanwhile).
 */
export class MessageWordIndex1795880000000 implements MigrationInterface {
  name = 'MessageWordIndex1795880000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `messages` ADD FULLTEXT INDEX `ft_messages_content` (`content`)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `messages` DROP INDEX `ft_messages_content`');
  }
}
