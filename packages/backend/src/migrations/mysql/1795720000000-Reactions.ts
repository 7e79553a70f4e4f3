import type { MigrationInterface, QueryRunner } from 'typeorm';

/** message_reactions: one row per (message, emoji, user); the emoji as hex code points (see ReactionEntity). */
export class Reactions1795720000000 implements MigrationInterface {
  name = 'Reactions1795720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `message_reactions` (`id` int NOT NULL AUTO_INCREMENT, `message_id` int NOT NULL, `user_id` int NOT NULL, `emoji` varchar(160) NOT NULL, `created_at` bigint NOT NULL, INDEX `ix_message_reactions_user` (`user_id`), UNIQUE INDEX `uq_message_reactions_message_emoji_user` (`message_id`, `emoji`, `user_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      'ALTER TABLE `message_reactions` ADD CONSTRAINT `fk_message_reactions_message` FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE `message_reactions` ADD CONSTRAINT `fk_message_reactions_user` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `message_reactions`');
  }
}
