import type { ChannelEntity, RoomEntity, RoomMemberEntity, UserEntity, UserSettingsEntity } from '../entities';

// The connect path runs a handful of lookups per socket. TypeORM's find() builds the SQL anew each time and,
// on SQLite, inlines numeric parameters so no prepared statement is ever reused; these run as constant text
// with `?` placeholders instead, and map the rows here. MariaDB returns BIGINT as strings and both engines
// return booleans as 0/1.

export type Row = Record<string, unknown>;

export function num(value: unknown): number {
  return Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Columns of `users` aliased `u_*`, for SELECTs that join a user. */
export const USER_COLUMNS =
  'u.id AS u_id, u.username AS u_username, u.email AS u_email, u.email_verified AS u_email_verified, ' +
  'u.password_hash AS u_password_hash, u.sex AS u_sex, u.thumbnail AS u_thumbnail, u.created_at AS u_created_at, ' +
  'u.updated_at AS u_updated_at, u.last_seen_at AS u_last_seen_at, u.is_admin AS u_is_admin, ' +
  'u.deactivated_at AS u_deactivated_at, u.status AS u_status, u.status_text AS u_status_text';

export function userFromRow(row: Row): UserEntity {
  return {
    id: num(row.u_id),
    username: String(row.u_username),
    email: strOrNull(row.u_email),
    emailVerified: bool(row.u_email_verified),
    passwordHash: strOrNull(row.u_password_hash),
    sex: row.u_sex as UserEntity['sex'],
    thumbnail: strOrNull(row.u_thumbnail),
    createdAt: num(row.u_created_at),
    updatedAt: num(row.u_updated_at),
    lastSeenAt: numOrNull(row.u_last_seen_at),
    isAdmin: bool(row.u_is_admin),
    deactivatedAt: numOrNull(row.u_deactivated_at),
    status: strOrNull(row.u_status) as UserEntity['status'],
    statusText: strOrNull(row.u_status_text),
  };
}

/** `?, ?, ?` for an IN list (the text repeats for the same number of ids, so statements are reused). */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

export const ROOM_COLUMNS =
  'r.id AS r_id, r.kind AS r_kind, r.name AS r_name, r.channel_id AS r_channel_id, r.admin_id AS r_admin_id, ' +
  'r.p2p AS r_p2p, r.pins_admin_only AS r_pins_admin_only, r.direct_key AS r_direct_key, r.created_at AS r_created_at, r.deleted_at AS r_deleted_at';

export function roomFromRow(row: Row): RoomEntity {
  return {
    id: num(row.r_id),
    kind: row.r_kind as RoomEntity['kind'],
    name: strOrNull(row.r_name),
    channelId: numOrNull(row.r_channel_id),
    adminId: numOrNull(row.r_admin_id),
    p2p: bool(row.r_p2p),
    pinsAdminOnly: bool(row.r_pins_admin_only),
    directKey: strOrNull(row.r_direct_key),
    createdAt: num(row.r_created_at),
    deletedAt: numOrNull(row.r_deleted_at),
  };
}

export const MEMBER_COLUMNS =
  'rm.id AS rm_id, rm.room_id AS rm_room_id, rm.user_id AS rm_user_id, rm.volume AS rm_volume, ' +
  'rm.notifications AS rm_notifications, rm.last_read_message_id AS rm_last_read, rm.joined_at AS rm_joined_at';

export function memberFromRow(row: Row): RoomMemberEntity {
  return {
    id: num(row.rm_id),
    roomId: num(row.rm_room_id),
    userId: num(row.rm_user_id),
    volume: num(row.rm_volume),
    notifications: bool(row.rm_notifications),
    lastReadMessageId: num(row.rm_last_read),
    joinedAt: num(row.rm_joined_at),
  };
}

export const CHANNEL_COLUMNS =
  'c.id AS c_id, c.name AS c_name, c.admin_id AS c_admin_id, c.is_public AS c_is_public, c.topic AS c_topic, c.created_at AS c_created_at, c.deleted_at AS c_deleted_at';

export function channelFromRow(row: Row): ChannelEntity {
  return {
    id: num(row.c_id),
    name: String(row.c_name),
    adminId: numOrNull(row.c_admin_id),
    isPublic: bool(row.c_is_public),
    topic: String(row.c_topic),
    createdAt: num(row.c_created_at),
    deletedAt: numOrNull(row.c_deleted_at),
  };
}

/** Columns of `user_settings` aliased `us_*` (table alias `us`). */
export const SETTINGS_COLUMNS =
  'us.show_when_i_typing AS us_show_when_i_typing, us.embedded_youtube AS us_embedded_youtube, ' +
  'us.highlight_code AS us_highlight_code, us.message_sound AS us_message_sound, ' +
  'us.incoming_file_call_sound AS us_incoming_file_call_sound, us.online_change_sound AS us_online_change_sound, ' +
  'us.logs AS us_logs, us.theme AS us_theme';

export function settingsFromRow(userId: number, row: Row): UserSettingsEntity {
  return {
    userId,
    showWhenITyping: bool(row.us_show_when_i_typing),
    embeddedYoutube: bool(row.us_embedded_youtube),
    highlightCode: bool(row.us_highlight_code),
    messageSound: bool(row.us_message_sound),
    incomingFileCallSound: bool(row.us_incoming_file_call_sound),
    onlineChangeSound: bool(row.us_online_change_sound),
    logs: row.us_logs as UserSettingsEntity['logs'],
    theme: row.us_theme as UserSettingsEntity['theme'],
  };
}
