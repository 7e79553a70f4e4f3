import { In, IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { ChannelEntity, MessageEntity, RoomEntity, RoomMemberEntity } from '../entities';

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

  constructor(private readonly dataSource: DataSource) {
    this.#rooms = dataSource.getRepository(RoomEntity);
    this.#members = dataSource.getRepository(RoomMemberEntity);
    this.#channels = dataSource.getRepository(ChannelEntity);
  }

  findRoom(id: number): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ id, deletedAt: IsNull() });
  }

  findRoomsByIds(ids: number[]): Promise<RoomEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.#rooms.findBy({ id: In(ids), deletedAt: IsNull() });
  }

  /** Including a disabled one: a re-opened direct room is revived with its history. */
  findDirectByKey(directKey: string): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ directKey });
  }

  /** The membership row, only if the room is live. */
  async findMembership(roomId: number, userId: number): Promise<{ room: RoomEntity; member: RoomMemberEntity } | null> {
    const member = await this.#members.findOne({ where: { roomId, userId }, relations: { room: true } });
    if (!member?.room || member.room.deletedAt !== null) {
      return null;
    }
    return { room: member.room, member };
  }

  membersOf(roomId: number): Promise<RoomMemberEntity[]> {
    return this.#members.find({ where: { roomId }, order: { userId: 'ASC' } });
  }

  membersOfRooms(roomIds: number[]): Promise<RoomMemberEntity[]> {
    return roomIds.length === 0
      ? Promise.resolve([])
      : this.#members.find({ where: { roomId: In(roomIds) }, order: { userId: 'ASC' } });
  }

  /** Live rooms the user belongs to, with the membership row. */
  async membershipsOf(userId: number): Promise<{ room: RoomEntity; member: RoomMemberEntity }[]> {
    const members = await this.#members.find({ where: { userId }, relations: { room: true } });
    return members
      .filter((m): m is RoomMemberEntity & { room: RoomEntity } => !!m.room && m.room.deletedAt === null)
      .map((member) => ({ room: member.room, member }));
  }

  async roomIdsOf(userId: number): Promise<number[]> {
    return (await this.membershipsOf(userId)).map(({ room }) => room.id);
  }

  findChannel(id: number): Promise<ChannelEntity | null> {
    return this.#channels.findOneBy({ id, deletedAt: IsNull() });
  }

  findChannelsByIds(ids: number[]): Promise<ChannelEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.#channels.findBy({ id: In(ids), deletedAt: IsNull() });
  }

  mainRoomOf(channelId: number): Promise<RoomEntity | null> {
    return this.#rooms.findOneBy({ channelId, kind: 'channel', deletedAt: IsNull() });
  }

  mainRoomsOf(channelIds: number[]): Promise<RoomEntity[]> {
    return channelIds.length === 0
      ? Promise.resolve([])
      : this.#rooms.findBy({ channelId: In(channelIds), kind: 'channel', deletedAt: IsNull() });
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

  async updateRoom(id: number, patch: Partial<Pick<RoomEntity, 'name' | 'adminId' | 'p2p'>>): Promise<void> {
    await this.#rooms.update({ id }, patch);
  }

  async updateChannel(id: number, patch: Partial<Pick<ChannelEntity, 'name' | 'adminId'>>): Promise<void> {
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
    await this.#members
      .createQueryBuilder()
      .update()
      .set({ lastReadMessageId: messageId })
      .where('room_id = :roomId AND user_id = :userId AND last_read_message_id < :messageId', {
        roomId,
        userId,
        messageId,
      })
      .execute();
    const member = await this.#members.findOneBy({ roomId, userId });
    return member?.lastReadMessageId ?? 0;
  }

  /** Unread = live messages from others after the member's read pointer, per room, in one query. */
  async unreadCounts(userId: number): Promise<Map<number, number>> {
    const rows: { roomId: number | string; unread: number | string }[] = await this.dataSource
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .select('m.room_id', 'roomId')
      .addSelect('COUNT(*)', 'unread')
      .innerJoin(RoomMemberEntity, 'rm', 'rm.room_id = m.room_id AND rm.user_id = :userId', { userId })
      .where('m.id > rm.last_read_message_id')
      .andWhere('m.sender_id <> :userId', { userId })
      .andWhere('m.deleted_at IS NULL')
      .groupBy('m.room_id')
      .getRawMany();
    return new Map(rows.map((r) => [Number(r.roomId), Number(r.unread)]));
  }

  async lastMessageIds(roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length === 0) {
      return new Map();
    }
    const rows: { roomId: number | string; lastId: number | string }[] = await this.dataSource
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .select('m.room_id', 'roomId')
      .addSelect('MAX(m.id)', 'lastId')
      .where('m.room_id IN (:...roomIds)', { roomIds })
      .groupBy('m.room_id')
      .getRawMany();
    return new Map(rows.map((r) => [Number(r.roomId), Number(r.lastId)]));
  }
}
