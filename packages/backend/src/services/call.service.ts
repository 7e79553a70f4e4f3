import { randomBytes } from 'node:crypto';
import { LIMITS, type CallDto, type ClientMessages } from '@pychat/protocol';
import type { CallPeer, CallRecord, CallStore } from '../bus/call.store';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** The device sending a request: a call peer is a connection, not a user. */
export interface Device {
  userId: number;
  connId: string;
}

export interface CallTiming {
  /** How often this instance refreshes its peers and sweeps expired ones. */
  heartbeatMs: number;
  /** A peer no instance refreshed for this long (its instance died) leaves the call at the next sweep. */
  peerTtlMs: number;
}

/** Defaults: a SIGKILLed instance's devices leave their calls 6-8 s after its last heartbeat. */
export const CALL_TIMING: CallTiming = { heartbeatMs: 2_000, peerTtlMs: 6_000 };

type RtcType = 'rtc.offer' | 'rtc.answer' | 'rtc.candidate';

/**
 * Calls and their signalling (docs/webrtc.md). A call belongs to a room: only its members start, see, join or
 * decline it, and a call id of another room reads as CALL_NOT_FOUND, like a made-up one. SDP and ICE pass only
 * between two devices that have both joined the same call.
 */
export class CallService {
  /** This instance's devices in calls: connId → callId → roomId (refreshed by the heartbeat, left on close). */
  readonly #local = new Map<string, Map<string, number>>();
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(
    private readonly store: CallStore,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    logger: Logger,
    private readonly timing: CallTiming = CALL_TIMING,
  ) {
    this.#log = logger.child({ ctx: 'CallService' });
    events.on('room.membersRemoved', ({ roomId, userIds }) => this.#removeUsers(roomId, userIds));
  }

  /** Starts the heartbeat and sweep. */
  start(): void {
    this.#timer = setInterval(() => {
      this.heartbeat().catch((error: unknown) => this.#log.warn({ err: error }, 'call heartbeat failed'));
    }, this.timing.heartbeatMs);
    this.#timer.unref();
  }

  async startCall(device: Device, data: ClientMessages['call.start']): Promise<{ callId: string }> {
    await this.access.requireRoomMember(device.userId, data.roomId);
    const call: CallRecord = {
      id: randomBytes(12).toString('base64url'),
      roomId: data.roomId,
      video: data.video,
      startedBy: { userId: device.userId, connId: device.connId },
      startedAt: this.clock(),
    };
    const existing = await this.store.create(call, this.#deadline());
    if (existing !== null) {
      throw new AppError('INVALID_OPERATION', `A call is already running in this room: join it (${existing})`);
    }
    this.#track(device.connId, call.id, call.roomId);
    await this.events.emit('call.started', { call: toCallDto(call, [call.startedBy]) });
    return { callId: call.id };
  }

  async join(device: Device, callId: string): Promise<{ call: CallDto }> {
    const call = await this.#visibleCall(device.userId, callId);
    const result = await this.store.join(callId, device, this.#deadline(), LIMITS.callPeersMax);
    if (result === 'gone') {
      throw notFound(callId);
    }
    if (result === 'already') {
      throw new AppError('INVALID_OPERATION', 'This device is in the call already');
    }
    if (result === 'full') {
      throw new AppError('LIMIT_REACHED', `A call holds at most ${LIMITS.callPeersMax} devices`);
    }
    this.#track(device.connId, callId, call.roomId);
    await this.events.emit('call.joined', { callId, roomId: call.roomId, ...device });
    const others = (await this.store.peers(callId)).filter((peer) => peer.connId !== device.connId);
    return { call: toCallDto(call, others) };
  }

  async decline(device: Device, callId: string): Promise<void> {
    const call = await this.#visibleCall(device.userId, callId);
    if (await this.store.peer(callId, device.connId)) {
      throw new AppError('INVALID_OPERATION', 'This device is in the call: leave it instead');
    }
    await this.events.emit('call.declined', { callId, roomId: call.roomId, ...device });
  }

  async leave(device: Device, callId: string): Promise<void> {
    const call = await this.store.get(callId);
    const left = call ? await this.store.leave(callId, device.connId) : null;
    if (!call || !left) {
      // Not in it (or never was): the same answer as for a call that does not exist.
      throw notFound(callId);
    }
    this.#untrack(device.connId, callId);
    await this.#announceLeft(callId, call.roomId, left.peer, left.ended, 'hangup');
  }

  /** The calls running in these rooms (the connection's rooms: its indexed memberships). */
  async list(roomIds: Iterable<number>): Promise<CallDto[]> {
    const calls = await this.store.inRooms([...roomIds]);
    return Promise.all(calls.map(async (call) => toCallDto(call, await this.store.peers(call.id))));
  }

  /** Forwards SDP or ICE to one device of the same call. Both ends must have joined; nothing else is sent. */
  async signal<T extends RtcType>(device: Device, type: T, data: ClientMessages[T]): Promise<void> {
    const { callId, toConnId } = data;
    // Only a joined device may signal: no membership query per ICE candidate, and a foreign id reads as unknown.
    if (!(await this.store.peer(callId, device.connId))) {
      throw notFound(callId);
    }
    if (toConnId === device.connId || !(await this.store.peer(callId, toConnId))) {
      throw new AppError('CALL_PEER_NOT_FOUND', `Connection ${toConnId} is not in this call`);
    }
    const from = { callId, fromUserId: device.userId, fromConnId: device.connId };
    if (type === 'rtc.candidate') {
      const { candidate } = data as ClientMessages['rtc.candidate'];
      await this.events.emit('rtc.signal', { toConnId, type, data: { ...from, candidate } });
    } else {
      const { sdp } = data as ClientMessages['rtc.offer'];
      await this.events.emit('rtc.signal', {
        toConnId,
        type: type as 'rtc.offer' | 'rtc.answer',
        data: { ...from, sdp },
      });
    }
  }

  /** A socket of this instance closed: it leaves its calls at once. */
  async disconnected(connId: string): Promise<void> {
    const calls = this.#local.get(connId);
    this.#local.delete(connId);
    for (const [callId, roomId] of calls ?? []) {
      const left = await this.store.leave(callId, connId);
      if (left) {
        await this.#announceLeft(callId, roomId, left.peer, left.ended, 'disconnected');
      }
    }
  }

  /** Refreshes this instance's peers, then removes (and announces) peers nobody refreshed: dead instances'. */
  async heartbeat(): Promise<void> {
    if (this.#sweeping) {
      return;
    }
    this.#sweeping = true;
    try {
      const entries = [...this.#local].flatMap(([connId, calls]) =>
        [...calls].map(([callId, roomId]) => ({ callId, roomId, connId })),
      );
      await this.store.touch(entries, this.#deadline());
      for (const expired of await this.store.sweep(this.clock())) {
        if (expired.peer) {
          this.#untrack(expired.peer.connId, expired.callId);
          await this.#announceLeft(expired.callId, expired.roomId, expired.peer, expired.ended, 'disconnected');
        } else {
          await this.events.emit('call.ended', { callId: expired.callId, roomId: expired.roomId });
        }
      }
    } finally {
      this.#sweeping = false;
    }
  }

  /** Stops the heartbeat and takes this instance's devices out of their calls (a graceful stop). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const connId of [...this.#local.keys()]) {
      await this.disconnected(connId).catch((error: unknown) =>
        this.#log.warn({ err: error }, 'could not leave calls on shutdown; they expire instead'),
      );
    }
  }

  async #visibleCall(userId: number, callId: string): Promise<CallRecord> {
    const call = await this.store.get(callId);
    if (!call) {
      throw notFound(callId);
    }
    try {
      await this.access.requireRoomMember(userId, call.roomId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') {
        throw notFound(callId);
      }
      throw error;
    }
    return call;
  }

  /** Members removed from a room (left, kicked, room deleted) leave its call. */
  async #removeUsers(roomId: number, userIds: number[]): Promise<void> {
    const [call] = await this.store.inRooms([roomId]);
    if (!call) {
      return;
    }
    const removed = new Set(userIds);
    for (const peer of await this.store.peers(call.id)) {
      if (removed.has(peer.userId)) {
        const left = await this.store.leave(call.id, peer.connId);
        if (left) {
          this.#untrack(peer.connId, call.id);
          await this.#announceLeft(call.id, roomId, left.peer, left.ended, 'removed');
        }
      }
    }
  }

  async #announceLeft(
    callId: string,
    roomId: number,
    peer: CallPeer,
    ended: boolean,
    reason: 'hangup' | 'disconnected' | 'removed',
  ): Promise<void> {
    await this.events.emit('call.left', { callId, roomId, userId: peer.userId, connId: peer.connId, reason });
    if (ended) {
      await this.events.emit('call.ended', { callId, roomId });
    }
  }

  #deadline(): number {
    return this.clock() + this.timing.peerTtlMs;
  }

  #track(connId: string, callId: string, roomId: number): void {
    let calls = this.#local.get(connId);
    if (!calls) {
      calls = new Map();
      this.#local.set(connId, calls);
    }
    calls.set(callId, roomId);
  }

  #untrack(connId: string, callId: string): void {
    const calls = this.#local.get(connId);
    calls?.delete(callId);
    if (calls?.size === 0) {
      this.#local.delete(connId);
    }
  }
}

function notFound(callId: string): AppError {
  return new AppError('CALL_NOT_FOUND', `Call ${callId} does not exist, has ended, or is not yours to see`);
}

function toCallDto(call: CallRecord, peers: CallPeer[]): CallDto {
  return {
    callId: call.id,
    roomId: call.roomId,
    video: call.video,
    startedBy: call.startedBy,
    startedAt: call.startedAt,
    peers: peers.map(({ userId, connId }) => ({ userId, connId })),
  };
}
