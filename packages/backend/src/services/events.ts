import type {
  CallDto,
  ChannelDto,
  MessageDto,
  RoomDto,
  RoomStateDto,
  ServerMessages,
  TransferDto,
  UserDto,
  UserSettingsDto,
} from '@pychat/protocol';

/** What happened, in domain terms. Services emit these after committing; fanout.service turns them into frames. */
export interface DomainEvents {
  'message.created': { message: MessageDto; localId: string | null; parentThreadCount?: number };
  /** A send repeated with a stored localId: its first attempt may have committed without being fanned out. */
  'message.resent': { message: MessageDto; localId: string };
  'message.edited': { message: MessageDto };
  'message.deleted': { message: MessageDto };
  /** A message's reactions changed; the complete list after the change. */
  'message.reactions': ServerMessages['message.reactions'];
  /** Pinned or unpinned: the message with its new pin state. */
  'message.pinned': { message: MessageDto };
  'message.read': { roomId: number; userId: number; lastReadMessageId: number };
  'typing.started': { roomId: number; userId: number };
  /** Users gained a room; each has their own state (volume, notifications, unread). */
  'room.membersAdded': { room: RoomDto; channel: ChannelDto | null; states: { userId: number; state: RoomStateDto }[] };
  'room.updated': { room: RoomDto };
  'room.membersRemoved': { roomId: number; userIds: number[] };
  'room.settingsChanged': { userId: number; state: RoomStateDto };
  'channel.added': { channel: ChannelDto; userIds: number[] };
  'channel.updated': { channel: ChannelDto; userIds: number[] };
  'channel.removed': { channelId: number; userIds: number[] };
  /** A batch of users who came online or went offline (see PresenceService). */
  'presence.changed': { online: number[]; offline: { userId: number; lastSeenAt: number }[] };
  /** A room's online count at the end of its throttle window (RoomOnlineService). */
  'room.online': { roomId: number; online: number };
  'user.created': { user: UserDto };
  /** Sessions deleted: their sockets, on every instance, get session.ended and close with 4001. */
  'session.ended': { sessionIds: number[]; reason: ServerMessages['session.ended']['reason'] };
  'settings.updated': { userId: number; settings: UserSettingsDto };
  'user.updated': { user: UserDto };
  /** A call started in a room; its starter's device is its first peer. */
  'call.started': { call: CallDto };
  /** A device joined, declined or left a call (CallService). */
  'call.joined': CallPeerEvent;
  'call.declined': CallPeerEvent;
  'call.left': CallPeerEvent & { reason: ServerMessages['call.left']['reason'] };
  'call.ended': { callId: string; roomId: number };
  /** SDP or ICE from one device of a call to another (already checked: both are in the call). */
  'rtc.signal': { toConnId: string } & (
    | { type: 'rtc.offer'; data: ServerMessages['rtc.offer'] }
    | { type: 'rtc.answer'; data: ServerMessages['rtc.answer'] }
    | { type: 'rtc.candidate'; data: ServerMessages['rtc.candidate'] }
  );
  /** A file offered for P2P transfer (TransferService); the sender's user does not get it. */
  'transfer.offered': { transfer: TransferDto };
  /** The offer is over for everyone: its sender cancelled it or its socket closed. */
  'transfer.withdrawn': { transferId: string; roomId: number; senderId: number };
  /** A transfer frame for one device (already checked: the two are the ends of that transfer). */
  'transfer.toDevice': {
    [K in TransferDeviceFrame]: { toConnId: string; type: K; data: ServerMessages[K] };
  }[TransferDeviceFrame];
  /** A p2p-room frame for one device (already checked: both devices are present in that p2p room). */
  'p2p.toDevice': {
    [K in P2pDeviceFrame]: { toConnId: string; type: K; data: ServerMessages[K] };
  }[P2pDeviceFrame];
}

/** P2P-room frames addressed to one device. */
export type P2pDeviceFrame = 'p2p.joined' | 'p2p.left' | 'p2p.signal';

/** Transfer frames addressed to one device. */
export type TransferDeviceFrame = 'transfer.accepted' | 'transfer.declined' | 'transfer.cancelled' | 'transfer.signal';

export interface CallPeerEvent {
  callId: string;
  roomId: number;
  userId: number;
  connId: string;
}

type Listener<K extends keyof DomainEvents> = (payload: DomainEvents[K]) => Promise<void>;

/**
 * Typed in-process event emitter; `emit` resolves once every listener (the fan-out publish) is done.
 * A listener failure (Redis down) is reported, not thrown: the write it announces is already committed,
 * so the request succeeds and other clients catch up through message.sync when the bus is back.
 */
export class DomainEventBus {
  readonly #listeners = new Map<keyof DomainEvents, Listener<never>[]>();

  constructor(private readonly onListenerError: (name: string, error: unknown) => void = () => undefined) {}

  on<K extends keyof DomainEvents>(name: K, listener: Listener<K>): void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener as Listener<never>);
    this.#listeners.set(name, list);
  }

  async emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): Promise<void> {
    const list = (this.#listeners.get(name) ?? []) as Listener<K>[];
    await Promise.all(
      list.map((listener) => listener(payload).catch((error: unknown) => this.onListenerError(name, error))),
    );
  }
}
