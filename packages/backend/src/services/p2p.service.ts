import type { ClientMessages, ClientReplies, ServerMessages } from '@pychat/protocol';
import type { P2pDevice, P2pStore } from '../bus/p2p.store';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AccessService } from './access.service';
import type { DomainEventBus, DomainEvents, P2pDeviceFrame } from './events';

/** Pushed forward by every join; only for entries of an instance that died with its sockets. */
export const P2P_PRESENCE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * P2P rooms (docs/p2p.md §7): the server knows which devices are present in each p2p room and relays WebRTC
 * signalling between them only. Messages go over the data channels; the server never sees them.
 * A room that is not mine, not p2p, or made up reads as ROOM_NOT_FOUND, one answer for all.
 */
export class P2pService {
  /** Rooms each socket of this instance joined: left when the socket closes. */
  readonly #joined = new Map<string, Set<number>>();
  readonly #log: Logger;

  constructor(
    private readonly store: P2pStore,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    logger: Logger,
  ) {
    this.#log = logger.child({ ctx: 'P2pService' });
    // Switched off or closed: nobody may signal there any more, and the devices drop their links.
    events.on('room.updated', async ({ room }) => {
      if (!room.p2p) {
        await this.#clear(room.id);
      }
    });
    events.on('room.membersRemoved', async ({ roomId, userIds }) => {
      for (const device of await this.store.devices(roomId)) {
        if (userIds.includes(device.userId)) {
          await this.#leave(roomId, device.connId);
        }
      }
    });
  }

  async join(device: P2pDevice, roomId: number): Promise<ClientReplies['p2p.join']> {
    await this.#requireP2pMember(device.userId, roomId);
    const others = await this.store.join(roomId, device, P2P_PRESENCE_TTL_MS);
    let mine = this.#joined.get(device.connId);
    if (!mine) {
      mine = new Set();
      this.#joined.set(device.connId, mine);
    }
    mine.add(roomId);
    this.#log.debug({ room: roomId, conn: device.connId, peers: others.length }, 'p2p joined');
    for (const other of others) {
      await this.#toDevice(other.connId, 'p2p.joined', { roomId, ...device });
    }
    return { devices: others };
  }

  async leave(device: P2pDevice, roomId: number): Promise<void> {
    // Leaving a room that was never joined (or is gone) is not an error: the device only wants to be out.
    this.#joined.get(device.connId)?.delete(roomId);
    await this.#leave(roomId, device.connId);
  }

  /** SDP or ICE between two devices present in the same p2p room; checked against the store only. */
  async signal(device: P2pDevice, data: ClientMessages['p2p.signal']): Promise<void> {
    const { roomId, toConnId } = data;
    if (!(await this.store.device(roomId, device.connId))) {
      throw notFound(roomId);
    }
    if (toConnId === device.connId || !(await this.store.device(roomId, toConnId))) {
      throw new AppError('P2P_PEER_NOT_FOUND', `Connection ${toConnId} is not a device present in this p2p room`);
    }
    await this.#toDevice(toConnId, 'p2p.signal', {
      roomId,
      fromUserId: device.userId,
      fromConnId: device.connId,
      signal: data.signal,
    });
  }

  /** A socket of this instance closed. */
  async disconnected(connId: string): Promise<void> {
    const rooms = this.#joined.get(connId);
    this.#joined.delete(connId);
    for (const roomId of rooms ?? []) {
      await this.#leave(roomId, connId);
    }
  }

  async #requireP2pMember(userId: number, roomId: number): Promise<void> {
    const { room } = await this.access.requireRoomMember(userId, roomId);
    if (!room.p2p) {
      throw notFound(roomId);
    }
  }

  async #leave(roomId: number, connId: string): Promise<void> {
    if (await this.store.leave(roomId, connId)) {
      for (const other of await this.store.devices(roomId)) {
        await this.#toDevice(other.connId, 'p2p.left', { roomId, connId });
      }
    }
  }

  async #clear(roomId: number): Promise<void> {
    const devices = await this.store.clear(roomId);
    for (const device of devices) {
      this.#joined.get(device.connId)?.delete(roomId);
      for (const other of devices) {
        if (other.connId !== device.connId) {
          await this.#toDevice(other.connId, 'p2p.left', { roomId, connId: device.connId });
        }
      }
    }
  }

  #toDevice<K extends P2pDeviceFrame>(toConnId: string, type: K, data: ServerMessages[K]): Promise<void> {
    return this.events.emit('p2p.toDevice', { toConnId, type, data } as DomainEvents['p2p.toDevice']);
  }
}

function notFound(roomId: number): AppError {
  return new AppError('ROOM_NOT_FOUND', `Room ${roomId} does not exist, is not peer-to-peer, or you are not a member`);
}
