import { LIMITS } from '@pychat/protocol';
import { In, IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { dialectOf, outsideTransactions } from '../db/data-source';
import { ChannelEntity, RoomEntity, RoomMemberEntity } from '../entities';
import {
  CHANNEL_COLUMNS,
  channelFromRow,
  MEMBER_COLUMNS,
  memberFromRow,
  num,
  placeholders,
  ROOM_COLUMNS,
  roomFromRow,
  type Row,
} from './raw-rows';

/** At most this many unread messages are counted per room; clients show the cap as "99+". */
export const UNREAD_COUNT_LIMIT = LIMITS.unreadCountMax;

// Hot statements as plain SQL with `?` and constant text (TypeORM inlines numbers on SQLite: typeorm#10810).
const MEMBERSHIP =
  'SELECT rm.id AS member_id, rm.room_id, rm.user_id, rm.volume, rm.notifications, rm.last_read_message_id, ' +
  'rm.joined_at, r.kind, r.name, r.channel_id, r.admin_id, r.p2p, r.pins_admin_only, r.direct_key, r.created_at, ' +
  'r.deleted_at ' +
  'FROM room_members rm INNER JOIN rooms r ON r.id = rm.room_id ' +
  'WHERE rm.room_id = ? AND rm.user_id = ? AND r.deleted_at IS NULL';

const ADVANCE_READ =
  'UPDATE room_members SET last_read_message_id = ? WHERE room_id = ? AND user_id = ? AND last_read_message_id < ?';

const RETREAT_READ =
  'UPDATE room_members SET last_read_message_id = ? WHERE room_id = ? AND user_id = ? AND last_read_message_id > ?';

const READ_POINTER = 'SELECT last_read_message_id FROM room_members WHERE room_id = ? AND user_id = ?';

/**
 * One membership's unread count: UNREAD_COUNT_LIMIT if the LIMIT-th unread message exists (a seek plus at
 * most that many steps along (room_id, id)), else the exact count, which is then below the limit. The room
 * and the read pointer are parameters, not the outer row's columns: MariaDB walks a correlated `id > outer`
 * from the start of the room (0.14 s per 1,000,000 messages), and cannot see outer columns in a derived table.
 */
function unreadOfOneRoom(dialect: 'sqlite' | 'mysql'): string {
  const hint = dialect === 'mysql' ? ' FORCE INDEX (ix_messages_room_id)' : '';
  const unread = `FROM messages m${hint} WHERE m.room_id = ? AND m.id > ? AND m.sender_id <> ? AND m.deleted_at IS NULL`;
  return (
    'SELECT ? AS room_id, COALESCE(' +
    `(SELECT ${UNREAD_COUNT_LIMIT} ${unread} ORDER BY m.id LIMIT 1 OFFSET ${UNREAD_COUNT_LIMIT - 1}), ` +
    `(SELECT COUNT(*) ${unread})) AS unread, ` +
    `(SELECT m.id FROM messages m${hint} WHERE m.room_id = ? ORDER BY m.id DESC LIMIT 1) AS last_id`
  );
}

/**
 * The connect path's memberships in one statement: each live room of the user with its membership row, its
 * channel (live, with the channel's live main room) and, for a room of at most LIMITS.roomMembersInlineMax
 * members, its members as `userId:lastRead,…`. "Small" is whether the (max+1)-th member exists: a seek and at
 * most max+1 steps along (room_id, user_id), so the "all" room of 15,000 costs what a room of 201 does. The
 * correlated subqueries compare the outer room id by equality only (a ref lookup on MariaDB too; see
 * `unreadOfOneRoom` for the range that is not).
 */
function connectMembershipsOf(dialect: 'sqlite' | 'mysql'): string {
  const list =
    dialect === 'mysql'
      ? "GROUP_CONCAT(y.user_id, ':', y.last_read_message_id SEPARATOR ',')"
      : "group_concat(y.user_id || ':' || y.last_read_message_id, ',')";
  return (
    `SELECT ${MEMBER_COLUMNS}, ${ROOM_COLUMNS}, ${CHANNEL_COLUMNS}, ` +
    "CASE WHEN c.id IS NULL THEN NULL WHEN r.kind = 'channel' THEN r.id ELSE " +
    "(SELECT mr.id FROM rooms mr WHERE mr.channel_id = r.channel_id AND mr.kind = 'channel' AND mr.deleted_at IS NULL " +
    'ORDER BY mr.id LIMIT 1) END AS main_room_id, ' +
    'CASE WHEN (SELECT x.user_id FROM room_members x WHERE x.room_id = rm.room_id ORDER BY x.user_id ' +
    `LIMIT 1 OFFSET ${LIMITS.roomMembersInlineMax}) IS NULL ` +
    `THEN (SELECT ${list} FROM room_members y WHERE y.room_id = rm.room_id) END AS small_members ` +
    'FROM room_members rm JOIN rooms r ON r.id = rm.room_id ' +
    'LEFT JOIN channels c ON c.id = r.channel_id AND c.deleted_at IS NULL ' +
    'WHERE rm.user_id = ? AND r.deleted_at IS NULL ORDER BY rm.id'
  );
}

/** A membership as the connect path reads it (`connectMembershipsOf`). */
export interface ConnectMembership {
  room: RoomEntity;
  member: RoomMemberEntity;
  /** The room's members by user id when it has at most LIMITS.roomMembersInlineMax; null for a bigger room. */
  members: { userId: number; lastReadMessageId: number }[] | null;
  /** The room's live channel with its main room, if it belongs to one. */
  channel: { channel: ChannelEntity; mainRoomId: number } | null;
}

/** `userId:lastRead,…` (a GROUP_CONCAT, text or bytes) to members by user id. */
function parseMemberList(value: unknown): { userId: number; lastReadMessageId: number }[] | null {
  if (value === null || value === undefined) {
    return null;
  }
  const members = String(value)
    .split(',')
    .map((pair) => {
      const colon = pair.indexOf(':');
      return { userId: Number(pair.slice(0, colon)), lastReadMessageId: Number(pair.slice(colon + 1)) };
    });
  return members.sort((a, b) => a.userId - b.userId);
}

/** A membership's unread count (capped at UNREAD_COUNT_LIMIT) and its room's newest message id. */
export interface RoomCounters {
  unread: number;
  lastMessageId: number;
}

/** A member's read pointer in one room. */
export interface ReadPointer {
  roomId: number;
  lastReadMessageId: number;
}

/** Rooms per unread-count statement. */
const UNREAD_ROOMS_PER_STATEMENT = 50;

interface MembershipRow {
  member_id: number | string;
  room_id: number | string;
  user_id: number | string;
  volume: number | string;
  notifications: number | string | boolean;
  last_read_message_id: number | string;
  joined_at: number | string;
  kind: RoomEntity['kind'];
  name: string | null;
  channel_id: number | string | null;
  admin_id: number | string | null;
  p2p: number | string | boolean;
  pins_admin_only: number | string | boolean;
  direct_key: string | null;
  created_at: number | string;
  deleted_at: number | string | null;
}

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export interface MemberPrefs {
  volume?: number;
  notifications?: boolean;
}

export interface NewMember extends MemberPrefs {
  userId: number;
  /** Where the read pointer starts (default 0: every message of the room is unread). */
  lastReadMessageId?: number;
}

/** Rooms, channels and memberships. Deleted rooms/channels are kept (deleted_at) and filtered out here. */
export class RoomRepository {
  readonly #rooms: Repository<RoomEntity>;
  readonly #members: Repository<RoomMemberEntity>;
  readonly #channels: Repository<ChannelEntity>;
  readonly #dialect: 'sqlite' | 'mysql';
  readonly #connectMemberships: string;

  constructor(private readonly dataSource: DataSource) {
    this.#dialect = dialectOf(dataSource);
    this.#connectMemberships = connectMembershipsOf(this.#dialect);
    this.#rooms = dataSource.getRepository(RoomEntity);
    this.#members = dataSource.getRepository(RoomMemberEntity);
    this.#channels = dataSource.getRepository(ChannelEntity);
  }

  findRoom(id: number): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ id, deletedAt: IsNull() });
  }

  /** Including a disabled one: a re-opened direct room is revived with its history. */
  findDirectByKey(directKey: string): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ directKey });
  }

  /** The membership row, only if the room is live. One constant statement (hot: every request on a room). */
  async findMembership(roomId: number, userId: number): Promise<{ room: RoomEntity; member: RoomMemberEntity } | null> {
    const rows = (await this.dataSource.query(MEMBERSHIP, [roomId, userId])) as MembershipRow[];
    if (rows.length === 0) {
      return null;
    }
    const row = rows[0];
    const room: RoomEntity = {
      id: Number(row.room_id),
      kind: row.kind,
      name: row.name,
      channelId: numberOrNull(row.channel_id),
      adminId: numberOrNull(row.admin_id),
      p2p: Number(row.p2p) === 1,
      pinsAdminOnly: Number(row.pins_admin_only) === 1,
      directKey: row.direct_key,
      createdAt: Number(row.created_at),
      deletedAt: numberOrNull(row.deleted_at),
    };
    const member: RoomMemberEntity = {
      id: Number(row.member_id),
      roomId: room.id,
      userId: Number(row.user_id),
      volume: Number(row.volume),
      notifications: Number(row.notifications) === 1,
      lastReadMessageId: Number(row.last_read_message_id),
      joinedAt: Number(row.joined_at),
      room,
    };
    return { room, member };
  }

  membersOf(roomId: number): Promise<RoomMemberEntity[]> {
    return this.#members.find({ where: { roomId }, order: { userId: 'ASC' } });
  }

  async membersOfRooms(roomIds: number[]): Promise<RoomMemberEntity[]> {
    if (roomIds.length === 0) {
      return [];
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS} FROM room_members rm WHERE rm.room_id IN (${placeholders(roomIds.length)}) ORDER BY rm.user_id`,
      roomIds,
    );
    return rows.map(memberFromRow);
  }

  /** Live rooms the user belongs to, with the membership row. */
  async membershipsOf(userId: number): Promise<{ room: RoomEntity; member: RoomMemberEntity }[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS}, ${ROOM_COLUMNS} FROM room_members rm JOIN rooms r ON r.id = rm.room_id ` +
        'WHERE rm.user_id = ? AND r.deleted_at IS NULL ORDER BY rm.id',
      [userId],
    );
    return rows.map((row) => ({ room: roomFromRow(row), member: memberFromRow(row) }));
  }

  /** Live rooms the user belongs to, with what `session.ready` says of each: one statement (see the SQL's doc). */
  async connectMembershipsOf(userId: number): Promise<ConnectMembership[]> {
    const rows: Row[] = await this.dataSource.query(this.#connectMemberships, [userId]);
    return rows.map((row) => {
      const room = roomFromRow(row);
      return {
        room,
        member: memberFromRow(row),
        members: parseMemberList(row.small_members),
        channel:
          row.main_room_id === null || row.main_room_id === undefined
            ? null
            : { channel: channelFromRow(row), mainRoomId: num(row.main_room_id) },
      };
    });
  }

  async roomIdsOf(userId: number): Promise<number[]> {
    return (await this.membershipsOf(userId)).map(({ room }) => room.id);
  }

  findChannel(id: number): Promise<ChannelEntity | null> {
    return this.#channels.findOneBy({ id, deletedAt: IsNull() });
  }

  mainRoomOf(channelId: number): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ channelId, kind: 'channel', deletedAt: IsNull() });
  }

  /** Live channels among these ids, each with its live main room: one statement for the connect path. */
  async channelsWithMainRooms(ids: number[]): Promise<{ channel: ChannelEntity; mainRoomId: number }[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${CHANNEL_COLUMNS}, r.id AS main_room_id FROM channels c ` +
        "JOIN rooms r ON r.channel_id = c.id AND r.kind = 'channel' AND r.deleted_at IS NULL " +
        `WHERE c.id IN (${placeholders(ids.length)}) AND c.deleted_at IS NULL`,
      ids,
    );
    return rows.map((row) => ({ channel: channelFromRow(row), mainRoomId: num(row.main_room_id) }));
  }

  /** Live public channels after `afterId`, by id, with their main rooms: one page of the directory. */
  async publicChannels(afterId: number, limit: number): Promise<{ channel: ChannelEntity; mainRoomId: number }[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${CHANNEL_COLUMNS}, r.id AS main_room_id FROM channels c ` +
        "JOIN rooms r ON r.channel_id = c.id AND r.kind = 'channel' AND r.deleted_at IS NULL " +
        `WHERE c.is_public = 1 AND c.deleted_at IS NULL AND c.id > ? ORDER BY c.id LIMIT ${Math.trunc(limit)}`,
      [afterId],
    );
    return rows.map((row) => ({ channel: channelFromRow(row), mainRoomId: num(row.main_room_id) }));
  }

  /** Which of these rooms the user belongs to. */
  async memberRoomIds(userId: number, roomIds: number[]): Promise<Set<number>> {
    if (roomIds.length === 0) {
      return new Set();
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT room_id FROM room_members WHERE user_id = ? AND room_id IN (${placeholders(roomIds.length)})`,
      [userId, ...roomIds],
    );
    return new Set(rows.map((r) => num(r.room_id)));
  }

  /** Live channels, and live named rooms, this user administers (the per-user caps count these). */
  async countAdministered(userId: number): Promise<{ channels: number; rooms: number }> {
    const [channels, rooms]: Row[][] = await Promise.all([
      this.dataSource.query('SELECT COUNT(*) AS n FROM channels WHERE admin_id = ? AND deleted_at IS NULL', [userId]),
      this.dataSource.query(
        "SELECT COUNT(*) AS n FROM rooms WHERE admin_id = ? AND kind = 'room' AND deleted_at IS NULL",
        [userId],
      ),
    ]);
    return { channels: num(channels[0]?.n ?? 0), rooms: num(rooms[0]?.n ?? 0) };
  }

  /** Named rooms of a channel, not its main room. */
  subRoomsOf(channelId: number): Promise<RoomEntity[]> {
    return this.#rooms.findBy({ channelId, kind: 'room', deletedAt: IsNull() });
  }

  async createRoom(room: Omit<RoomEntity, 'id'>, members: NewMember[], now: number): Promise<RoomEntity> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(RoomEntity).save(room);
      await this.insertMembers(manager, saved.id, members, now);
      return saved;
    });
  }

  async createChannel(
    channel: Omit<ChannelEntity, 'id'>,
    members: NewMember[],
    now: number,
  ): Promise<{ channel: ChannelEntity; room: RoomEntity }> {
    return this.dataSource.transaction(async (manager) => {
      const savedChannel = await manager.getRepository(ChannelEntity).save(channel);
      const room = await manager.getRepository(RoomEntity).save({
        kind: 'channel',
        name: channel.name,
        channelId: savedChannel.id,
        adminId: channel.adminId,
        p2p: false,
        directKey: null,
        createdAt: now,
        deletedAt: null,
      });
      await this.insertMembers(manager, room.id, members, now);
      return { channel: savedChannel, room };
    });
  }

  /**
   * Revives a disabled direct room. Members kept by disableDirect keep their read pointers and preferences
   * (what was read stays read); a missing one is added.
   */
  async reviveDirect(roomId: number, p2p: boolean, members: NewMember[], now: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(RoomEntity).update({ id: roomId }, { deletedAt: null, p2p });
      const kept = new Set((await manager.getRepository(RoomMemberEntity).findBy({ roomId })).map((m) => m.userId));
      await this.insertMembers(
        manager,
        roomId,
        members.filter((m) => !kept.has(m.userId)),
        now,
      );
    });
  }

  async addMembers(roomId: number, members: NewMember[], now: number): Promise<void> {
    await this.dataSource.transaction((manager) => this.insertMembers(manager, roomId, members, now));
  }

  private async insertMembers(manager: EntityManager, roomId: number, members: NewMember[], now: number) {
    if (members.length === 0) {
      return;
    }
    await manager.getRepository(RoomMemberEntity).insert(
      members.map((m) => ({
        roomId,
        userId: m.userId,
        volume: m.volume ?? 80,
        notifications: m.notifications ?? true,
        lastReadMessageId: m.lastReadMessageId ?? 0,
        joinedAt: now,
      })),
    );
  }

  async removeMembers(roomId: number, userIds: number[]): Promise<void> {
    if (userIds.length > 0) {
      await this.#members.delete({ roomId, userId: In(userIds) });
    }
  }

  async updateRoom(
    id: number,
    patch: Partial<Pick<RoomEntity, 'name' | 'adminId' | 'p2p' | 'pinsAdminOnly'>>,
  ): Promise<void> {
    await this.#rooms.update({ id }, patch);
  }

  async updateChannel(
    id: number,
    patch: Partial<Pick<ChannelEntity, 'name' | 'adminId' | 'isPublic' | 'topic'>>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ChannelEntity).update({ id }, patch);
      if (patch.name !== undefined) {
        // The main room carries the channel's name.
        await manager.getRepository(RoomEntity).update({ channelId: id, kind: 'channel' }, { name: patch.name });
      }
    });
  }

  /** Disables rooms and drops their memberships in one transaction; messages stay. */
  async softDeleteRooms(roomIds: number[], now: number, channelId?: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (roomIds.length > 0) {
        await manager.getRepository(RoomEntity).update({ id: In(roomIds) }, { deletedAt: now });
        await manager.getRepository(RoomMemberEntity).delete({ roomId: In(roomIds) });
      }
      if (channelId !== undefined) {
        await manager.getRepository(ChannelEntity).update({ id: channelId }, { deletedAt: now });
      }
    });
  }

  /** Disables a direct room but keeps its members, so re-opening it finds the pair and the history. */
  async disableDirect(roomId: number, now: number): Promise<void> {
    await this.#rooms.update({ id: roomId }, { deletedAt: now });
  }

  async updateMember(roomId: number, userId: number, patch: MemberPrefs): Promise<void> {
    await this.#members.update({ roomId, userId }, patch);
  }

  /** Moves the read pointer forward only; returns the pointer after the update. */
  async advanceRead(roomId: number, userId: number, messageId: number): Promise<number> {
    return this.#moveRead(ADVANCE_READ, roomId, userId, messageId);
  }

  /** Moves the read pointer back to `pointer` if it is past it ("mark as unread"); answers the pointer after. */
  retreatRead(roomId: number, userId: number, pointer: number): Promise<number> {
    return this.#moveRead(RETREAT_READ, roomId, userId, pointer);
  }

  async #moveRead(sql: string, roomId: number, userId: number, messageId: number): Promise<number> {
    const moved = await outsideTransactions(this.dataSource, async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        return (await runner.query(sql, [messageId, roomId, userId, messageId], true)).affected ?? 0;
      } finally {
        await runner.release();
      }
    });
    if (moved > 0) {
      return messageId;
    }
    const rows = (await this.dataSource.query(READ_POINTER, [roomId, userId])) as {
      last_read_message_id: number | string;
    }[];
    return rows.length > 0 ? Number(rows[0].last_read_message_id) : 0;
  }

  /**
   * Unread = live messages from others after the member's read pointer, per room, counted up to
   * UNREAD_COUNT_LIMIT (clients show "99+"): a reader 1,000,000 messages behind costs 1,000 index steps,
   * not a count of the whole room. Rooms without unread messages are left out.
   */
  async unreadCounts(userId: number, knownPointers?: ReadPointer[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const [roomId, { unread }] of await this.unreadAndNewest(userId, knownPointers)) {
      if (unread > 0) {
        counts.set(roomId, unread);
      }
    }
    return counts;
  }

  /**
   * Each membership's unread count (as `unreadCounts`) and its room's newest message id (0: none), in one
   * statement per UNREAD_ROOMS_PER_STATEMENT rooms: the connect path's per-room state.
   */
  async unreadAndNewest(userId: number, knownPointers?: ReadPointer[]): Promise<Map<number, RoomCounters>> {
    const members =
      knownPointers ??
      (
        (await this.dataSource.query(
          'SELECT room_id, last_read_message_id FROM room_members WHERE user_id = ? ORDER BY room_id',
          [userId],
        )) as { room_id: number | string; last_read_message_id: number | string }[]
      ).map((m) => ({ roomId: Number(m.room_id), lastReadMessageId: Number(m.last_read_message_id) }));
    const one = unreadOfOneRoom(this.#dialect);
    const counters = new Map<number, RoomCounters>();
    for (let i = 0; i < members.length; i += UNREAD_ROOMS_PER_STATEMENT) {
      const chunk = members.slice(i, i + UNREAD_ROOMS_PER_STATEMENT);
      const rows = (await this.dataSource.query(
        chunk.map(() => one).join(' UNION ALL '),
        chunk.flatMap((m) => {
          const [roomId, lastRead] = [m.roomId, m.lastReadMessageId];
          return [roomId, roomId, lastRead, userId, roomId, lastRead, userId, roomId];
        }),
      )) as { room_id: number | string; unread: number | string; last_id: number | string | null }[];
      for (const row of rows) {
        counters.set(Number(row.room_id), { unread: Number(row.unread), lastMessageId: Number(row.last_id ?? 0) });
      }
    }
    return counters;
  }

  /** Each room's newest message id (rooms without messages are left out): one seek in (room_id, id) per room. */
  async lastMessageIds(roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length === 0) {
      return new Map();
    }
    const hint = this.#dialect === 'mysql' ? ' FORCE INDEX (ix_messages_room_id)' : '';
    const rows = (await this.dataSource.query(
      `SELECT r.id AS room_id, (SELECT m.id FROM messages m${hint} WHERE m.room_id = r.id ORDER BY m.id DESC LIMIT 1)` +
        ` AS last_id FROM rooms r WHERE r.id IN (${roomIds.map(() => '?').join(', ')})`,
      roomIds,
    )) as { room_id: number | string; last_id: number | string | null }[];
    return new Map(
      rows.filter((r) => r.last_id !== null).map((r) => [Number(r.room_id), Number(r.last_id)] as [number, number]),
    );
  }

  /** Member count per room, for the rooms sent without their member list. */
  async memberCounts(roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length === 0) {
      return new Map();
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT room_id, COUNT(*) AS n FROM room_members WHERE room_id IN (${placeholders(roomIds.length)}) GROUP BY room_id`,
      roomIds,
    );
    return new Map(rows.map((r) => [num(r.room_id), num(r.n)]));
  }
}
