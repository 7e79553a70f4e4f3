import type { PresenceRegistry } from '../bus/presence.registry';
import type { UserRepository } from '../repositories/user.repository';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** Online users and typing. Presence is server-wide because every user shares the "all" room. */
export class PresenceService {
  constructor(
    private readonly registry: PresenceRegistry,
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
  ) {}

  async connected(userId: number): Promise<void> {
    if (await this.registry.connect(userId)) {
      // UserDto.lastSeenAt is null while online, so session.ready never shows "last seen" for an online user.
      await this.users.setLastSeen(userId, null);
      await this.events.emit('presence.online', { userId });
    }
  }

  async disconnected(userId: number): Promise<void> {
    if (await this.registry.disconnect(userId)) {
      const lastSeenAt = this.clock();
      await this.users.setLastSeen(userId, lastSeenAt);
      await this.events.emit('presence.offline', { userId, lastSeenAt });
    }
  }

  online(): Promise<number[]> {
    return this.registry.online();
  }

  async typing(userId: number, roomId: number): Promise<void> {
    await this.access.requireRoomMember(userId, roomId);
    await this.events.emit('typing.started', { roomId, userId });
  }
}
