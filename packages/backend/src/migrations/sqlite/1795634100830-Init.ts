import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795634100830 implements MigrationInterface {
  name = 'Init1795634100830';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "username" varchar(16) NOT NULL, "email" varchar(190), "email_verified" boolean NOT NULL DEFAULT (0), "password_hash" varchar(255), "sex" varchar(8) NOT NULL DEFAULT ('secret'), "thumbnail" varchar(255), "created_at" bigint NOT NULL, "last_seen_at" bigint)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username" ON "users" ("username") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email") `);
    await queryRunner.query(
      `CREATE TABLE "channels" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(16) NOT NULL, "admin_id" integer, "created_at" bigint NOT NULL, "deleted_at" bigint)`,
    );
    await queryRunner.query(
      `CREATE TABLE "ip_addresses" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ip" varchar(45) NOT NULL, "country_code" varchar(16), "country" varchar(64), "region" varchar(64), "city" varchar(64), "isp" varchar(255), "lat" double, "lon" double, "timezone" varchar(64), "resolved_at" bigint)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_ip_addresses_ip" ON "ip_addresses" ("ip") `);
    await queryRunner.query(
      `CREATE TABLE "rooms" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(16) NOT NULL, "name" varchar(16), "channel_id" integer, "admin_id" integer, "p2p" boolean NOT NULL DEFAULT (0), "direct_key" varchar(32), "created_at" bigint NOT NULL, "deleted_at" bigint)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_rooms_channel" ON "rooms" ("channel_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rooms_direct_key" ON "rooms" ("direct_key") `);
    await queryRunner.query(
      `CREATE TABLE "messages" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "sender_id" integer NOT NULL, "content" text, "local_id" varchar(64), "parent_id" integer, "thread_count" integer NOT NULL DEFAULT (0), "symbol" varchar(1), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "edited_at" bigint, "deleted_at" bigint)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_messages_sender_local" ON "messages" ("sender_id", "local_id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_updated" ON "messages" ("room_id", "updated_at") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_parent_id" ON "messages" ("parent_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_parent_id" ON "messages" ("room_id", "parent_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "message_mentions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "user_id" integer NOT NULL, "symbol" varchar(1))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_mentions_user" ON "message_mentions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_message_mentions_message_user" ON "message_mentions" ("message_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "message_edits" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "content" text, "edited_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_edits_message" ON "message_edits" ("message_id") `);
    await queryRunner.query(
      `CREATE TABLE "push_subscriptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "endpoint" varchar(500) NOT NULL, "p256dh" varchar(255) NOT NULL, "auth" varchar(255) NOT NULL, "user_agent" varchar(255), "inactive" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_push_subscriptions_endpoint" ON "push_subscriptions" ("endpoint") `,
    );
    await queryRunner.query(
      `CREATE TABLE "room_members" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "user_id" integer NOT NULL, "volume" integer NOT NULL DEFAULT (80), "notifications" boolean NOT NULL DEFAULT (1), "last_read_message_id" bigint NOT NULL DEFAULT (0), "joined_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_room_members_user" ON "room_members" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_room_members_room_user" ON "room_members" ("room_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "token_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_used_at" bigint NOT NULL, "user_agent" varchar(255), "ip" varchar(45))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sessions_user" ON "sessions" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" ("token_hash") `);
    await queryRunner.query(
      `CREATE TABLE "uploaded_files" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "message_id" integer, "kind" varchar(16) NOT NULL, "symbol" varchar(1), "path" varchar(255) NOT NULL, "original_name" varchar(255) NOT NULL, "mime_type" varchar(127) NOT NULL, "size" bigint NOT NULL, "preview_file_id" integer, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_user" ON "uploaded_files" ("user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_message" ON "uploaded_files" ("message_id") `);
    await queryRunner.query(
      `CREATE TABLE "user_ips" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "ip_id" integer NOT NULL, "first_seen_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_user_ips_ip" ON "user_ips" ("ip_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_ips_user_ip" ON "user_ips" ("user_id", "ip_id") `);
    await queryRunner.query(
      `CREATE TABLE "user_profiles" ("user_id" integer PRIMARY KEY NOT NULL, "name" varchar(30), "surname" varchar(30), "city" varchar(50), "birthday" varchar(10), "contacts" varchar(100), "photo" varchar(255))`,
    );
    await queryRunner.query(
      `CREATE TABLE "user_settings" ("user_id" integer PRIMARY KEY NOT NULL, "show_when_i_typing" boolean NOT NULL DEFAULT (1), "embedded_youtube" boolean NOT NULL DEFAULT (1), "highlight_code" boolean NOT NULL DEFAULT (1), "message_sound" boolean NOT NULL DEFAULT (1), "incoming_file_call_sound" boolean NOT NULL DEFAULT (1), "online_change_sound" boolean NOT NULL DEFAULT (0), "logs" varchar(16) NOT NULL DEFAULT ('error'), "theme" varchar(16) NOT NULL DEFAULT ('dark'))`,
    );
    await queryRunner.query(
      `CREATE TABLE "verification_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "kind" varchar(16) NOT NULL, "token_hash" varchar(64) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_verification_tokens_user" ON "verification_tokens" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_verification_tokens_hash" ON "verification_tokens" ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "temporary_channels" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(16) NOT NULL, "admin_id" integer, "created_at" bigint NOT NULL, "deleted_at" bigint, CONSTRAINT "fk_channels_admin" FOREIGN KEY ("admin_id") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_channels"("id", "name", "admin_id", "created_at", "deleted_at") SELECT "id", "name", "admin_id", "created_at", "deleted_at" FROM "channels"`,
    );
    await queryRunner.query(`DROP TABLE "channels"`);
    await queryRunner.query(`ALTER TABLE "temporary_channels" RENAME TO "channels"`);
    await queryRunner.query(`DROP INDEX "ix_rooms_channel"`);
    await queryRunner.query(`DROP INDEX "uq_rooms_direct_key"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_rooms" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(16) NOT NULL, "name" varchar(16), "channel_id" integer, "admin_id" integer, "p2p" boolean NOT NULL DEFAULT (0), "direct_key" varchar(32), "created_at" bigint NOT NULL, "deleted_at" bigint, CONSTRAINT "fk_rooms_channel" FOREIGN KEY ("channel_id") REFERENCES "channels" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION, CONSTRAINT "fk_rooms_admin" FOREIGN KEY ("admin_id") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_rooms"("id", "kind", "name", "channel_id", "admin_id", "p2p", "direct_key", "created_at", "deleted_at") SELECT "id", "kind", "name", "channel_id", "admin_id", "p2p", "direct_key", "created_at", "deleted_at" FROM "rooms"`,
    );
    await queryRunner.query(`DROP TABLE "rooms"`);
    await queryRunner.query(`ALTER TABLE "temporary_rooms" RENAME TO "rooms"`);
    await queryRunner.query(`CREATE INDEX "ix_rooms_channel" ON "rooms" ("channel_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rooms_direct_key" ON "rooms" ("direct_key") `);
    await queryRunner.query(`DROP INDEX "uq_messages_sender_local"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_updated"`);
    await queryRunner.query(`DROP INDEX "ix_messages_parent_id"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_parent_id"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_messages" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "sender_id" integer NOT NULL, "content" text, "local_id" varchar(64), "parent_id" integer, "thread_count" integer NOT NULL DEFAULT (0), "symbol" varchar(1), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "edited_at" bigint, "deleted_at" bigint, CONSTRAINT "fk_messages_room" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_messages_sender" FOREIGN KEY ("sender_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_messages_parent" FOREIGN KEY ("parent_id") REFERENCES "messages" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_messages"("id", "room_id", "sender_id", "content", "local_id", "parent_id", "thread_count", "symbol", "created_at", "updated_at", "edited_at", "deleted_at") SELECT "id", "room_id", "sender_id", "content", "local_id", "parent_id", "thread_count", "symbol", "created_at", "updated_at", "edited_at", "deleted_at" FROM "messages"`,
    );
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`ALTER TABLE "temporary_messages" RENAME TO "messages"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_messages_sender_local" ON "messages" ("sender_id", "local_id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_updated" ON "messages" ("room_id", "updated_at") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_parent_id" ON "messages" ("parent_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_parent_id" ON "messages" ("room_id", "parent_id", "id") `);
    await queryRunner.query(`DROP INDEX "ix_message_mentions_user"`);
    await queryRunner.query(`DROP INDEX "uq_message_mentions_message_user"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_message_mentions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "user_id" integer NOT NULL, "symbol" varchar(1), CONSTRAINT "fk_message_mentions_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_message_mentions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_message_mentions"("id", "message_id", "user_id", "symbol") SELECT "id", "message_id", "user_id", "symbol" FROM "message_mentions"`,
    );
    await queryRunner.query(`DROP TABLE "message_mentions"`);
    await queryRunner.query(`ALTER TABLE "temporary_message_mentions" RENAME TO "message_mentions"`);
    await queryRunner.query(`CREATE INDEX "ix_message_mentions_user" ON "message_mentions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_message_mentions_message_user" ON "message_mentions" ("message_id", "user_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_message_edits_message"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_message_edits" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "content" text, "edited_at" bigint NOT NULL, CONSTRAINT "fk_message_edits_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_message_edits"("id", "message_id", "content", "edited_at") SELECT "id", "message_id", "content", "edited_at" FROM "message_edits"`,
    );
    await queryRunner.query(`DROP TABLE "message_edits"`);
    await queryRunner.query(`ALTER TABLE "temporary_message_edits" RENAME TO "message_edits"`);
    await queryRunner.query(`CREATE INDEX "ix_message_edits_message" ON "message_edits" ("message_id") `);
    await queryRunner.query(`DROP INDEX "ix_push_subscriptions_user"`);
    await queryRunner.query(`DROP INDEX "uq_push_subscriptions_endpoint"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_push_subscriptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "endpoint" varchar(500) NOT NULL, "p256dh" varchar(255) NOT NULL, "auth" varchar(255) NOT NULL, "user_agent" varchar(255), "inactive" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, CONSTRAINT "fk_push_subscriptions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_push_subscriptions"("id", "user_id", "endpoint", "p256dh", "auth", "user_agent", "inactive", "created_at") SELECT "id", "user_id", "endpoint", "p256dh", "auth", "user_agent", "inactive", "created_at" FROM "push_subscriptions"`,
    );
    await queryRunner.query(`DROP TABLE "push_subscriptions"`);
    await queryRunner.query(`ALTER TABLE "temporary_push_subscriptions" RENAME TO "push_subscriptions"`);
    await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_push_subscriptions_endpoint" ON "push_subscriptions" ("endpoint") `,
    );
    await queryRunner.query(`DROP INDEX "ix_room_members_user"`);
    await queryRunner.query(`DROP INDEX "uq_room_members_room_user"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_room_members" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "user_id" integer NOT NULL, "volume" integer NOT NULL DEFAULT (80), "notifications" boolean NOT NULL DEFAULT (1), "last_read_message_id" bigint NOT NULL DEFAULT (0), "joined_at" bigint NOT NULL, CONSTRAINT "fk_room_members_room" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_room_members_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_room_members"("id", "room_id", "user_id", "volume", "notifications", "last_read_message_id", "joined_at") SELECT "id", "room_id", "user_id", "volume", "notifications", "last_read_message_id", "joined_at" FROM "room_members"`,
    );
    await queryRunner.query(`DROP TABLE "room_members"`);
    await queryRunner.query(`ALTER TABLE "temporary_room_members" RENAME TO "room_members"`);
    await queryRunner.query(`CREATE INDEX "ix_room_members_user" ON "room_members" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_room_members_room_user" ON "room_members" ("room_id", "user_id") `,
    );
    await queryRunner.query(`DROP INDEX "ix_sessions_user"`);
    await queryRunner.query(`DROP INDEX "uq_sessions_token_hash"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_sessions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "token_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_used_at" bigint NOT NULL, "user_agent" varchar(255), "ip" varchar(45), CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_sessions"("id", "user_id", "token_hash", "created_at", "last_used_at", "user_agent", "ip") SELECT "id", "user_id", "token_hash", "created_at", "last_used_at", "user_agent", "ip" FROM "sessions"`,
    );
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`ALTER TABLE "temporary_sessions" RENAME TO "sessions"`);
    await queryRunner.query(`CREATE INDEX "ix_sessions_user" ON "sessions" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" ("token_hash") `);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_user"`);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_message"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_uploaded_files" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "message_id" integer, "kind" varchar(16) NOT NULL, "symbol" varchar(1), "path" varchar(255) NOT NULL, "original_name" varchar(255) NOT NULL, "mime_type" varchar(127) NOT NULL, "size" bigint NOT NULL, "preview_file_id" integer, "created_at" bigint NOT NULL, CONSTRAINT "fk_uploaded_files_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_uploaded_files_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_uploaded_files"("id", "user_id", "message_id", "kind", "symbol", "path", "original_name", "mime_type", "size", "preview_file_id", "created_at") SELECT "id", "user_id", "message_id", "kind", "symbol", "path", "original_name", "mime_type", "size", "preview_file_id", "created_at" FROM "uploaded_files"`,
    );
    await queryRunner.query(`DROP TABLE "uploaded_files"`);
    await queryRunner.query(`ALTER TABLE "temporary_uploaded_files" RENAME TO "uploaded_files"`);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_user" ON "uploaded_files" ("user_id") `);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_message" ON "uploaded_files" ("message_id") `);
    await queryRunner.query(`DROP INDEX "ix_user_ips_ip"`);
    await queryRunner.query(`DROP INDEX "uq_user_ips_user_ip"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_user_ips" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "ip_id" integer NOT NULL, "first_seen_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL, CONSTRAINT "fk_user_ips_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "fk_user_ips_ip" FOREIGN KEY ("ip_id") REFERENCES "ip_addresses" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_user_ips"("id", "user_id", "ip_id", "first_seen_at", "last_seen_at") SELECT "id", "user_id", "ip_id", "first_seen_at", "last_seen_at" FROM "user_ips"`,
    );
    await queryRunner.query(`DROP TABLE "user_ips"`);
    await queryRunner.query(`ALTER TABLE "temporary_user_ips" RENAME TO "user_ips"`);
    await queryRunner.query(`CREATE INDEX "ix_user_ips_ip" ON "user_ips" ("ip_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_ips_user_ip" ON "user_ips" ("user_id", "ip_id") `);
    await queryRunner.query(
      `CREATE TABLE "temporary_user_profiles" ("user_id" integer PRIMARY KEY NOT NULL, "name" varchar(30), "surname" varchar(30), "city" varchar(50), "birthday" varchar(10), "contacts" varchar(100), "photo" varchar(255), CONSTRAINT "fk_user_profiles_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_user_profiles"("user_id", "name", "surname", "city", "birthday", "contacts", "photo") SELECT "user_id", "name", "surname", "city", "birthday", "contacts", "photo" FROM "user_profiles"`,
    );
    await queryRunner.query(`DROP TABLE "user_profiles"`);
    await queryRunner.query(`ALTER TABLE "temporary_user_profiles" RENAME TO "user_profiles"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_user_settings" ("user_id" integer PRIMARY KEY NOT NULL, "show_when_i_typing" boolean NOT NULL DEFAULT (1), "embedded_youtube" boolean NOT NULL DEFAULT (1), "highlight_code" boolean NOT NULL DEFAULT (1), "message_sound" boolean NOT NULL DEFAULT (1), "incoming_file_call_sound" boolean NOT NULL DEFAULT (1), "online_change_sound" boolean NOT NULL DEFAULT (0), "logs" varchar(16) NOT NULL DEFAULT ('error'), "theme" varchar(16) NOT NULL DEFAULT ('dark'), CONSTRAINT "fk_user_settings_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_user_settings"("user_id", "show_when_i_typing", "embedded_youtube", "highlight_code", "message_sound", "incoming_file_call_sound", "online_change_sound", "logs", "theme") SELECT "user_id", "show_when_i_typing", "embedded_youtube", "highlight_code", "message_sound", "incoming_file_call_sound", "online_change_sound", "logs", "theme" FROM "user_settings"`,
    );
    await queryRunner.query(`DROP TABLE "user_settings"`);
    await queryRunner.query(`ALTER TABLE "temporary_user_settings" RENAME TO "user_settings"`);
    await queryRunner.query(`DROP INDEX "ix_verification_tokens_user"`);
    await queryRunner.query(`DROP INDEX "uq_verification_tokens_hash"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_verification_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "kind" varchar(16) NOT NULL, "token_hash" varchar(64) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "fk_verification_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_verification_tokens"("id", "user_id", "kind", "token_hash", "email", "created_at", "expires_at", "used_at") SELECT "id", "user_id", "kind", "token_hash", "email", "created_at", "expires_at", "used_at" FROM "verification_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "verification_tokens"`);
    await queryRunner.query(`ALTER TABLE "temporary_verification_tokens" RENAME TO "verification_tokens"`);
    await queryRunner.query(`CREATE INDEX "ix_verification_tokens_user" ON "verification_tokens" ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_verification_tokens_hash" ON "verification_tokens" ("token_hash") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_verification_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "ix_verification_tokens_user"`);
    await queryRunner.query(`ALTER TABLE "verification_tokens" RENAME TO "temporary_verification_tokens"`);
    await queryRunner.query(
      `CREATE TABLE "verification_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "kind" varchar(16) NOT NULL, "token_hash" varchar(64) NOT NULL, "email" varchar(190), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "verification_tokens"("id", "user_id", "kind", "token_hash", "email", "created_at", "expires_at", "used_at") SELECT "id", "user_id", "kind", "token_hash", "email", "created_at", "expires_at", "used_at" FROM "temporary_verification_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_verification_tokens"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_verification_tokens_hash" ON "verification_tokens" ("token_hash") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_verification_tokens_user" ON "verification_tokens" ("user_id") `);
    await queryRunner.query(`ALTER TABLE "user_settings" RENAME TO "temporary_user_settings"`);
    await queryRunner.query(
      `CREATE TABLE "user_settings" ("user_id" integer PRIMARY KEY NOT NULL, "show_when_i_typing" boolean NOT NULL DEFAULT (1), "embedded_youtube" boolean NOT NULL DEFAULT (1), "highlight_code" boolean NOT NULL DEFAULT (1), "message_sound" boolean NOT NULL DEFAULT (1), "incoming_file_call_sound" boolean NOT NULL DEFAULT (1), "online_change_sound" boolean NOT NULL DEFAULT (0), "logs" varchar(16) NOT NULL DEFAULT ('error'), "theme" varchar(16) NOT NULL DEFAULT ('dark'))`,
    );
    await queryRunner.query(
      `INSERT INTO "user_settings"("user_id", "show_when_i_typing", "embedded_youtube", "highlight_code", "message_sound", "incoming_file_call_sound", "online_change_sound", "logs", "theme") SELECT "user_id", "show_when_i_typing", "embedded_youtube", "highlight_code", "message_sound", "incoming_file_call_sound", "online_change_sound", "logs", "theme" FROM "temporary_user_settings"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_user_settings"`);
    await queryRunner.query(`ALTER TABLE "user_profiles" RENAME TO "temporary_user_profiles"`);
    await queryRunner.query(
      `CREATE TABLE "user_profiles" ("user_id" integer PRIMARY KEY NOT NULL, "name" varchar(30), "surname" varchar(30), "city" varchar(50), "birthday" varchar(10), "contacts" varchar(100), "photo" varchar(255))`,
    );
    await queryRunner.query(
      `INSERT INTO "user_profiles"("user_id", "name", "surname", "city", "birthday", "contacts", "photo") SELECT "user_id", "name", "surname", "city", "birthday", "contacts", "photo" FROM "temporary_user_profiles"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_user_profiles"`);
    await queryRunner.query(`DROP INDEX "uq_user_ips_user_ip"`);
    await queryRunner.query(`DROP INDEX "ix_user_ips_ip"`);
    await queryRunner.query(`ALTER TABLE "user_ips" RENAME TO "temporary_user_ips"`);
    await queryRunner.query(
      `CREATE TABLE "user_ips" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "ip_id" integer NOT NULL, "first_seen_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "user_ips"("id", "user_id", "ip_id", "first_seen_at", "last_seen_at") SELECT "id", "user_id", "ip_id", "first_seen_at", "last_seen_at" FROM "temporary_user_ips"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_user_ips"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_ips_user_ip" ON "user_ips" ("user_id", "ip_id") `);
    await queryRunner.query(`CREATE INDEX "ix_user_ips_ip" ON "user_ips" ("ip_id") `);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_message"`);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_user"`);
    await queryRunner.query(`ALTER TABLE "uploaded_files" RENAME TO "temporary_uploaded_files"`);
    await queryRunner.query(
      `CREATE TABLE "uploaded_files" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "message_id" integer, "kind" varchar(16) NOT NULL, "symbol" varchar(1), "path" varchar(255) NOT NULL, "original_name" varchar(255) NOT NULL, "mime_type" varchar(127) NOT NULL, "size" bigint NOT NULL, "preview_file_id" integer, "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "uploaded_files"("id", "user_id", "message_id", "kind", "symbol", "path", "original_name", "mime_type", "size", "preview_file_id", "created_at") SELECT "id", "user_id", "message_id", "kind", "symbol", "path", "original_name", "mime_type", "size", "preview_file_id", "created_at" FROM "temporary_uploaded_files"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_uploaded_files"`);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_message" ON "uploaded_files" ("message_id") `);
    await queryRunner.query(`CREATE INDEX "ix_uploaded_files_user" ON "uploaded_files" ("user_id") `);
    await queryRunner.query(`DROP INDEX "uq_sessions_token_hash"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_user"`);
    await queryRunner.query(`ALTER TABLE "sessions" RENAME TO "temporary_sessions"`);
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "token_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_used_at" bigint NOT NULL, "user_agent" varchar(255), "ip" varchar(45))`,
    );
    await queryRunner.query(
      `INSERT INTO "sessions"("id", "user_id", "token_hash", "created_at", "last_used_at", "user_agent", "ip") SELECT "id", "user_id", "token_hash", "created_at", "last_used_at", "user_agent", "ip" FROM "temporary_sessions"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_sessions"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "ix_sessions_user" ON "sessions" ("user_id") `);
    await queryRunner.query(`DROP INDEX "uq_room_members_room_user"`);
    await queryRunner.query(`DROP INDEX "ix_room_members_user"`);
    await queryRunner.query(`ALTER TABLE "room_members" RENAME TO "temporary_room_members"`);
    await queryRunner.query(
      `CREATE TABLE "room_members" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "user_id" integer NOT NULL, "volume" integer NOT NULL DEFAULT (80), "notifications" boolean NOT NULL DEFAULT (1), "last_read_message_id" bigint NOT NULL DEFAULT (0), "joined_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "room_members"("id", "room_id", "user_id", "volume", "notifications", "last_read_message_id", "joined_at") SELECT "id", "room_id", "user_id", "volume", "notifications", "last_read_message_id", "joined_at" FROM "temporary_room_members"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_room_members"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_room_members_room_user" ON "room_members" ("room_id", "user_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_room_members_user" ON "room_members" ("user_id") `);
    await queryRunner.query(`DROP INDEX "uq_push_subscriptions_endpoint"`);
    await queryRunner.query(`DROP INDEX "ix_push_subscriptions_user"`);
    await queryRunner.query(`ALTER TABLE "push_subscriptions" RENAME TO "temporary_push_subscriptions"`);
    await queryRunner.query(
      `CREATE TABLE "push_subscriptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "endpoint" varchar(500) NOT NULL, "p256dh" varchar(255) NOT NULL, "auth" varchar(255) NOT NULL, "user_agent" varchar(255), "inactive" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "push_subscriptions"("id", "user_id", "endpoint", "p256dh", "auth", "user_agent", "inactive", "created_at") SELECT "id", "user_id", "endpoint", "p256dh", "auth", "user_agent", "inactive", "created_at" FROM "temporary_push_subscriptions"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_push_subscriptions"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_push_subscriptions_endpoint" ON "push_subscriptions" ("endpoint") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_push_subscriptions_user" ON "push_subscriptions" ("user_id") `);
    await queryRunner.query(`DROP INDEX "ix_message_edits_message"`);
    await queryRunner.query(`ALTER TABLE "message_edits" RENAME TO "temporary_message_edits"`);
    await queryRunner.query(
      `CREATE TABLE "message_edits" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "content" text, "edited_at" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "message_edits"("id", "message_id", "content", "edited_at") SELECT "id", "message_id", "content", "edited_at" FROM "temporary_message_edits"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_message_edits"`);
    await queryRunner.query(`CREATE INDEX "ix_message_edits_message" ON "message_edits" ("message_id") `);
    await queryRunner.query(`DROP INDEX "uq_message_mentions_message_user"`);
    await queryRunner.query(`DROP INDEX "ix_message_mentions_user"`);
    await queryRunner.query(`ALTER TABLE "message_mentions" RENAME TO "temporary_message_mentions"`);
    await queryRunner.query(
      `CREATE TABLE "message_mentions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "message_id" integer NOT NULL, "user_id" integer NOT NULL, "symbol" varchar(1))`,
    );
    await queryRunner.query(
      `INSERT INTO "message_mentions"("id", "message_id", "user_id", "symbol") SELECT "id", "message_id", "user_id", "symbol" FROM "temporary_message_mentions"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_message_mentions"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_message_mentions_message_user" ON "message_mentions" ("message_id", "user_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_mentions_user" ON "message_mentions" ("user_id") `);
    await queryRunner.query(`DROP INDEX "ix_messages_room_parent_id"`);
    await queryRunner.query(`DROP INDEX "ix_messages_parent_id"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_updated"`);
    await queryRunner.query(`DROP INDEX "uq_messages_sender_local"`);
    await queryRunner.query(`ALTER TABLE "messages" RENAME TO "temporary_messages"`);
    await queryRunner.query(
      `CREATE TABLE "messages" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "room_id" integer NOT NULL, "sender_id" integer NOT NULL, "content" text, "local_id" varchar(64), "parent_id" integer, "thread_count" integer NOT NULL DEFAULT (0), "symbol" varchar(1), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "edited_at" bigint, "deleted_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "messages"("id", "room_id", "sender_id", "content", "local_id", "parent_id", "thread_count", "symbol", "created_at", "updated_at", "edited_at", "deleted_at") SELECT "id", "room_id", "sender_id", "content", "local_id", "parent_id", "thread_count", "symbol", "created_at", "updated_at", "edited_at", "deleted_at" FROM "temporary_messages"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_messages"`);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_parent_id" ON "messages" ("room_id", "parent_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_parent_id" ON "messages" ("parent_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_messages_room_updated" ON "messages" ("room_id", "updated_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_messages_sender_local" ON "messages" ("sender_id", "local_id") `);
    await queryRunner.query(`DROP INDEX "uq_rooms_direct_key"`);
    await queryRunner.query(`DROP INDEX "ix_rooms_channel"`);
    await queryRunner.query(`ALTER TABLE "rooms" RENAME TO "temporary_rooms"`);
    await queryRunner.query(
      `CREATE TABLE "rooms" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(16) NOT NULL, "name" varchar(16), "channel_id" integer, "admin_id" integer, "p2p" boolean NOT NULL DEFAULT (0), "direct_key" varchar(32), "created_at" bigint NOT NULL, "deleted_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "rooms"("id", "kind", "name", "channel_id", "admin_id", "p2p", "direct_key", "created_at", "deleted_at") SELECT "id", "kind", "name", "channel_id", "admin_id", "p2p", "direct_key", "created_at", "deleted_at" FROM "temporary_rooms"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_rooms"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rooms_direct_key" ON "rooms" ("direct_key") `);
    await queryRunner.query(`CREATE INDEX "ix_rooms_channel" ON "rooms" ("channel_id") `);
    await queryRunner.query(`ALTER TABLE "channels" RENAME TO "temporary_channels"`);
    await queryRunner.query(
      `CREATE TABLE "channels" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(16) NOT NULL, "admin_id" integer, "created_at" bigint NOT NULL, "deleted_at" bigint)`,
    );
    await queryRunner.query(
      `INSERT INTO "channels"("id", "name", "admin_id", "created_at", "deleted_at") SELECT "id", "name", "admin_id", "created_at", "deleted_at" FROM "temporary_channels"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_channels"`);
    await queryRunner.query(`DROP INDEX "uq_verification_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "ix_verification_tokens_user"`);
    await queryRunner.query(`DROP TABLE "verification_tokens"`);
    await queryRunner.query(`DROP TABLE "user_settings"`);
    await queryRunner.query(`DROP TABLE "user_profiles"`);
    await queryRunner.query(`DROP INDEX "uq_user_ips_user_ip"`);
    await queryRunner.query(`DROP INDEX "ix_user_ips_ip"`);
    await queryRunner.query(`DROP TABLE "user_ips"`);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_message"`);
    await queryRunner.query(`DROP INDEX "ix_uploaded_files_user"`);
    await queryRunner.query(`DROP TABLE "uploaded_files"`);
    await queryRunner.query(`DROP INDEX "uq_sessions_token_hash"`);
    await queryRunner.query(`DROP INDEX "ix_sessions_user"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP INDEX "uq_room_members_room_user"`);
    await queryRunner.query(`DROP INDEX "ix_room_members_user"`);
    await queryRunner.query(`DROP TABLE "room_members"`);
    await queryRunner.query(`DROP INDEX "uq_push_subscriptions_endpoint"`);
    await queryRunner.query(`DROP INDEX "ix_push_subscriptions_user"`);
    await queryRunner.query(`DROP TABLE "push_subscriptions"`);
    await queryRunner.query(`DROP INDEX "ix_message_edits_message"`);
    await queryRunner.query(`DROP TABLE "message_edits"`);
    await queryRunner.query(`DROP INDEX "uq_message_mentions_message_user"`);
    await queryRunner.query(`DROP INDEX "ix_message_mentions_user"`);
    await queryRunner.query(`DROP TABLE "message_mentions"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_parent_id"`);
    await queryRunner.query(`DROP INDEX "ix_messages_parent_id"`);
    await queryRunner.query(`DROP INDEX "ix_messages_room_updated"`);
    await queryRunner.query(`DROP INDEX "uq_messages_sender_local"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "uq_rooms_direct_key"`);
    await queryRunner.query(`DROP INDEX "ix_rooms_channel"`);
    await queryRunner.query(`DROP TABLE "rooms"`);
    await queryRunner.query(`DROP INDEX "uq_ip_addresses_ip"`);
    await queryRunner.query(`DROP TABLE "ip_addresses"`);
    await queryRunner.query(`DROP TABLE "channels"`);
    await queryRunner.query(`DROP INDEX "uq_users_email"`);
    await queryRunner.query(`DROP INDEX "uq_users_username"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
