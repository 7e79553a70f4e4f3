import { PROTOCOL_VERSION, type ServerEventFrame } from '@pychat/protocol';
import type { UserEntity, UserSettingsEntity } from '../entities';
import type { Logger } from '../logger';
import type { Membership, RoomService } from './room.service';
import type { Clock } from './clock';
import type { PresenceService } from './presence.service';
import { toSettingsDto, toUserDto, type UserService } from './user.service';

/** What the connect path needs to know of the socket it is building `session.ready` for. */
export interface ConnectingSocket {
  readonly connectionId: string;
  /** The connection's logger (its id and user). */
  readonly log: Logger;
  /** False once the socket closed (its close handler has run). */
  isOpen(): boolean;
  /** Called right before presence counts the user: from then on the socket's close must call `disconnected`. */
  counted(): void;
}

/** The `session.ready` frame as text, and how many rooms it names (for the log). */
export interface ReadyFrame {
  frame: string;
  roomCount: number;
}

/**
 * The second step of a connect (docs/architecture.md "Room membership and the per-instance index"): the
 * transport registers the socket, reads `memberships`, indexes them, then asks for `ready` with the same rows.
 */
export class SessionService {
  constructor(
    private readonly rooms: RoomService,
    private readonly users: UserService,
    private readonly presence: PresenceService,
    private readonly clock: Clock,
  ) {}

  /** My live rooms: one query, read after the socket is registered and before `ready`. */
  memberships(userId: number): Promise<Membership[]> {
    return this.rooms.memberships(userId);
  }

  /**
   * Builds `session.ready` and counts the user online. Null when the socket closed while it was read: it then
   * must not count as online.
   */
  async ready(
    user: UserEntity,
    usersSince: number | null,
    memberships: Membership[],
    socket: ConnectingSocket,
    /** The settings read with the session (`AuthService.authenticateWithSettings`); null: read them here. */
    knownSettings: UserSettingsEntity | null = null,
  ): Promise<ReadyFrame | null> {
    const [snapshot, directory, settings] = await Promise.all([
      this.rooms.snapshot(user.id, memberships),
      this.users.directory(usersSince),
      knownSettings ? toSettingsDto(knownSettings) : this.users.settings(user.id),
    ]);
    if (!socket.isOpen()) {
      return null;
    }
    socket.counted();
    // Presence is best effort: with Redis away a user still connects and chats (the registry heals later).
    await this.presence
      .connected(user.id)
      .catch((error: unknown) => socket.log.warn({ err: error }, 'presence update failed'));
    const ready: ServerEventFrame<'session.ready'>['data'] = {
      protocolVersion: PROTOCOL_VERSION,
      connectionId: socket.connectionId,
      serverTime: this.clock(),
      // This connection counts as online: lastSeenAt says nothing until the last one closes.
      me: { ...toUserDto(user), lastSeenAt: null },
      settings,
      usersSince,
      users: directory,
      channels: snapshot.channels,
      rooms: snapshot.rooms,
      states: snapshot.states,
    };
    // Protocol v3: no online list (it made connecting N users cost N² ids); the client subscribes to whom it shows.
    return {
      frame: JSON.stringify({ type: 'session.ready', data: ready }),
      roomCount: snapshot.roomIds.length,
    };
  }
}
