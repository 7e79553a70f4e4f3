import type { ServerEventType, ServerMessages } from '@pychat/protocol';
import type { Bus } from '../bus/bus';
import { encodeEnvelope, type Target } from '../bus/envelope';
import type { DomainEventBus } from './events';

/**
 * The one place where domain events become server frames and who gets them (see docs/events.md).
 * Each frame is serialized once and published once, whatever the number of recipients.
 */
export class FanoutService {
  constructor(private readonly bus: Bus) {}

  register(events: DomainEventBus): void {
    events.on('message.created', async ({ message, localId, parentThreadCount }) => {
      const data: ServerMessages['message.new'] = { message };
      if (localId !== null) {
        data.localId = localId;
      }
      if (parentThreadCount !== undefined) {
        data.parentThreadCount = parentThreadCount;
      }
      await this.publish({ room: message.roomId }, 'message.new', data);
    });
    // At least once: the first attempt's instance may have died (or lost the bus) between commit and publish.
    // Clients dedupe message.new by id.
    events.on('message.resent', ({ message, localId }) =>
      this.publish({ room: message.roomId }, 'message.new', { message, localId }),
    );
    events.on('message.edited', ({ message }) => this.publish({ room: message.roomId }, 'message.edited', { message }));
    events.on('message.deleted', ({ message }) =>
      this.publish({ room: message.roomId }, 'message.deleted', { message }),
    );
    events.on('message.reactions', (data) => this.publish({ room: data.roomId }, 'message.reactions', data));
    events.on('message.pinned', ({ message }) => this.publish({ room: message.roomId }, 'message.pinned', { message }));
    events.on('message.read', (data) => this.publish({ room: data.roomId }, 'message.read', data));
    events.on('typing.started', (data) =>
      this.publish({ room: data.roomId, exceptUser: data.userId }, 'typing.started', data),
    );
    events.on('room.membersAdded', async ({ room, channel, states }) => {
      await Promise.all(
        states.map(({ userId, state }) =>
          this.publish({ users: [userId], join: room.id }, 'room.added', { room, state, channel }),
        ),
      );
    });
    events.on('room.updated', ({ room }) => this.publish({ room: room.id }, 'room.updated', { room }));
    events.on('room.membersRemoved', ({ roomId, userIds }) =>
      this.publish({ users: userIds, leave: roomId }, 'room.removed', { roomId }),
    );
    events.on('room.settingsChanged', ({ userId, state }) =>
      this.publish({ users: [userId] }, 'room.settings', { state }),
    );
    events.on('channel.added', ({ channel, userIds }) =>
      this.publish({ users: userIds }, 'channel.added', { channel }),
    );
    events.on('channel.updated', ({ channel, userIds }) =>
      this.publish({ users: userIds }, 'channel.updated', { channel }),
    );
    events.on('channel.removed', ({ channelId, userIds }) =>
      this.publish({ users: userIds }, 'channel.removed', { channelId }),
    );
    // Each instance cuts the batch down to what each of its sockets subscribed to (ConnectionRegistry).
    events.on('presence.changed', (data) => this.publish({ presence: true }, 'presence.changed', data));
    // Each instance sends it to its sockets that follow the room's count and are still its members.
    events.on('room.online', (data) => this.publish({ roomOnline: data.roomId }, 'room.online', data));
    // Every user shares the "all" room, so the user list is server-wide.
    events.on('user.created', (data) => this.publish({ all: true }, 'user.created', data));
    events.on('settings.updated', ({ userId, settings }) =>
      this.publish({ users: [userId] }, 'settings.updated', { settings }),
    );
    events.on('session.ended', ({ sessionIds, reason }) =>
      this.publish({ sessions: sessionIds, close: true }, 'session.ended', { reason }),
    );
    events.on('user.updated', (data) => this.publish({ all: true }, 'user.updated', data));
    // Calls: every device of every member sees a room's call (to ring, or to offer "Join"); the caller's own
    // device knows it started one. SDP and ICE go to the one addressed device only.
    events.on('call.started', ({ call }) =>
      this.publish({ room: call.roomId, exceptConn: call.startedBy.connId }, 'call.incoming', { call }),
    );
    events.on('call.joined', (data) => this.publish({ room: data.roomId }, 'call.joined', data));
    events.on('call.declined', (data) => this.publish({ room: data.roomId }, 'call.declined', data));
    events.on('call.left', (data) => this.publish({ room: data.roomId }, 'call.left', data));
    events.on('call.ended', (data) => this.publish({ room: data.roomId }, 'call.ended', data));
    events.on('rtc.signal', (signal) => {
      const target = { conn: signal.toConnId };
      switch (signal.type) {
        case 'rtc.offer':
          return this.publish(target, 'rtc.offer', signal.data);
        case 'rtc.answer':
          return this.publish(target, 'rtc.answer', signal.data);
        case 'rtc.candidate':
          return this.publish(target, 'rtc.candidate', signal.data);
      }
    });
    // P2P transfers: every device of the other members sees an offer; the rest goes to one device.
    events.on('transfer.offered', ({ transfer }) =>
      this.publish({ room: transfer.roomId, exceptUser: transfer.from.userId }, 'transfer.incoming', { transfer }),
    );
    events.on('transfer.withdrawn', ({ transferId, roomId, senderId }) =>
      this.publish({ room: roomId, exceptUser: senderId }, 'transfer.cancelled', { transferId, connId: null }),
    );
    events.on('transfer.toDevice', (frame) => this.publish({ conn: frame.toConnId }, frame.type, frame.data));
    // P2P rooms: presence and signalling go to one device present in the room at a time.
    events.on('p2p.toDevice', (frame) => this.publish({ conn: frame.toConnId }, frame.type, frame.data));
  }

  private async publish<K extends ServerEventType>(target: Target, type: K, data: ServerMessages[K]): Promise<void> {
    await this.bus.publish(encodeEnvelope(target, JSON.stringify({ type, data })));
  }
}
