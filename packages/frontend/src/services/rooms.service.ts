import type { ChannelRoomDto, ClientMessages, DirectoryChannelDto, RoomMemberDto } from '@pychat/protocol';
import type { AppStore } from '../store';
import type { LocalDbService } from './local-db.service';
import { StoreSync } from './store-sync';
import type { WsService } from './ws.service';

/** Room and channel actions. Replies update the store at once; the fan-out frames make it idempotent. */
export class RoomsService {
  /** One `room.members` request per room at a time. */
  readonly #loadingMembers = new Map<number, Promise<void>>();
  readonly #sync: StoreSync;

  constructor(
    private readonly store: AppStore,
    private readonly ws: WsService,
    db: LocalDbService,
  ) {
    this.#sync = new StoreSync(store, db);
  }

  /** The room on screen (null: none): its messages count as seen and raise no notification. */
  setActive(roomId: number | null): void {
    this.store.commit('rooms/setActive', roomId);
  }

  async createChannel(
    name: string,
    userIds: number[],
    options: { isPublic?: boolean; topic?: string } = {},
  ): Promise<number> {
    const { channel, room, state } = await this.ws.request('channel.create', { name, userIds, ...options });
    await this.#sync.room(room, state, channel);
    return room.id;
  }

  async createRoom(channelId: number, name: string, userIds: number[]): Promise<number> {
    const { room, state } = await this.ws.request('room.create', { channelId, name, userIds });
    await this.#sync.room(room, state);
    return room.id;
  }

  /** One page of public channels; `nextAfterId` null on the last page. */
  directory(afterId?: number): Promise<{ channels: DirectoryChannelDto[]; nextAfterId: number | null }> {
    return this.ws.request('channel.directory', afterId === undefined ? {} : { afterId });
  }

  /** Joins a public channel; answers its main room's id. */
  async joinChannel(channelId: number): Promise<number> {
    const { channel, room, state } = await this.ws.request('channel.join', { channelId });
    await this.#sync.room(room, state, channel);
    return room.id;
  }

  /** The named rooms of a channel I am in, joined or not. */
  async channelRooms(channelId: number): Promise<ChannelRoomDto[]> {
    return (await this.ws.request('channel.rooms', { channelId })).rooms;
  }

  /** Joins a named room of one of my channels. */
  async joinRoom(roomId: number): Promise<number> {
    const { room, state } = await this.ws.request('room.join', { roomId });
    await this.#sync.room(room, state);
    return room.id;
  }

  async openDirect(userId: number): Promise<number> {
    const { room, state } = await this.ws.request('room.createDirect', { userId });
    await this.#sync.room(room, state);
    return room.id;
  }

  async invite(roomId: number, userIds: number[]): Promise<void> {
    const { room } = await this.ws.request('room.invite', { roomId, userIds });
    await this.#sync.room(room);
  }

  async update(input: ClientMessages['room.update']): Promise<void> {
    const { room } = await this.ws.request('room.update', input);
    await this.#sync.room(room);
  }

  async updateSettings(input: ClientMessages['room.updateSettings']): Promise<void> {
    const { state } = await this.ws.request('room.updateSettings', input);
    await this.#sync.roomState(state);
  }

  async updateChannel(input: ClientMessages['channel.update']): Promise<void> {
    const { channel } = await this.ws.request('channel.update', input);
    await this.#sync.channel(channel);
  }

  async leave(roomId: number): Promise<void> {
    await this.ws.request('room.leave', { roomId });
    this.forget(roomId);
  }

  async delete(roomId: number): Promise<void> {
    await this.ws.request('room.delete', { roomId });
    this.forget(roomId);
  }

  async leaveChannel(channelId: number): Promise<void> {
    await this.ws.request('channel.leave', { channelId });
  }

  async deleteChannel(channelId: number): Promise<void> {
    await this.ws.request('channel.delete', { channelId });
  }

  async members(roomId: number): Promise<RoomMemberDto[]> {
    return (await this.ws.request('room.members', { roomId })).members;
  }

  /**
   * Makes the room's member list complete in the store. Big rooms come without it (protocol v2); views that show
   * members (the open chat's "seen by" and @mentions, settings, create-room) call this. Nothing happens for a room
   * whose list is complete or while offline: the caller calls again when it comes back online.
   */
  loadMembers(roomId: number): Promise<void> {
    const room = this.store.state.rooms.byId[roomId];
    if (!room || room.membersComplete || !this.ws.isOpen) {
      return Promise.resolve();
    }
    let loading = this.#loadingMembers.get(roomId);
    if (!loading) {
      loading = this.#loadMembers(roomId).finally(() => this.#loadingMembers.delete(roomId));
      this.#loadingMembers.set(roomId, loading);
    }
    return loading;
  }

  async #loadMembers(roomId: number): Promise<void> {
    // A room.updated that lands while the request is out replaces the room and may change its members: ask again.
    for (let attempt = 1; ; attempt++) {
      const before = this.store.state.rooms.byId[roomId];
      const members = await this.members(roomId);
      const now = this.store.state.rooms.byId[roomId];
      if (!now || (now !== before && now.membersComplete)) {
        return; // gone, or a newer inline list came meanwhile
      }
      if (now === before || attempt >= 3) {
        this.store.commit('rooms/setMembers', { roomId, members });
        return;
      }
    }
  }

  forget(roomId: number): void {
    void this.#sync.removeRoom(roomId);
  }
}
