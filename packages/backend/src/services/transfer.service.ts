import { randomBytes } from 'node:crypto';
import type { ClientMessages, ServerMessages, TransferDto } from '@pychat/protocol';
import type { TransferDevice, TransferRecord, TransferStore } from '../bus/transfer.store';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AccessService } from './access.service';
import type { Clock } from './clock';
import type { DomainEventBus, DomainEvents, TransferDeviceFrame } from './events';

/**
 * An offer nobody accepts expires after this; every accept (a resume too) pushes it forward. The sender's
 * socket closing ends it at once; this is for instances that died with their sockets.
 */
export const TRANSFER_TTL_MS = 6 * 60 * 60 * 1000;

/**
 * P2P file transfers (docs/p2p.md): the server hands out the offer, records which devices accepted, and relays
 * signalling only between the sender's device and those devices. The file itself never reaches the server.
 * A transfer id of a room the caller is not in reads as TRANSFER_NOT_FOUND, like a made-up one.
 */
export class TransferService {
  /** Transfers offered by this instance's sockets: connId → transfer ids, withdrawn when the socket closes. */
  readonly #sending = new Map<string, Set<string>>();
  readonly #log: Logger;

  constructor(
    private readonly store: TransferStore,
    private readonly access: AccessService,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.#log = logger.child({ ctx: 'TransferService' });
  }

  async offer(device: TransferDevice, data: ClientMessages['transfer.offer']): Promise<{ transferId: string }> {
    await this.access.requireRoomMember(device.userId, data.roomId);
    if (data.threadId !== undefined) {
      await this.access.requireMessageInRoom(data.roomId, data.threadId);
    }
    const transfer: TransferRecord = {
      id: randomBytes(12).toString('base64url'),
      roomId: data.roomId,
      threadId: data.threadId ?? null,
      file: data.file,
      from: { userId: device.userId, connId: device.connId },
      offeredAt: this.clock(),
    };
    await this.store.create(transfer, TRANSFER_TTL_MS);
    let mine = this.#sending.get(device.connId);
    if (!mine) {
      mine = new Set();
      this.#sending.set(device.connId, mine);
    }
    mine.add(transfer.id);
    // Sizes and ids only: names are user content and stay out of the logs.
    this.#log.info({ transfer: transfer.id, conn: device.connId, size: data.file.size }, 'transfer offered');
    await this.events.emit('transfer.offered', { transfer: toTransferDto(transfer) });
    return { transferId: transfer.id };
  }

  async accept(device: TransferDevice, data: ClientMessages['transfer.accept']): Promise<void> {
    const transfer = await this.#visible(device, data.transferId);
    if (data.received >= transfer.file.size) {
      throw new AppError('VALIDATION_FAILED', `received must be below the file's size (${transfer.file.size})`);
    }
    if (!(await this.store.accept(transfer.id, device, TRANSFER_TTL_MS))) {
      throw notFound(transfer.id);
    }
    await this.#toDevice(transfer.from.connId, 'transfer.accepted', {
      transferId: transfer.id,
      ...device,
      received: data.received,
    });
  }

  async decline(device: TransferDevice, transferId: string): Promise<void> {
    const transfer = await this.#visible(device, transferId);
    await this.store.removeReceiver(transfer.id, device.connId);
    await this.#toDevice(transfer.from.connId, 'transfer.declined', { transferId, ...device });
  }

  /** The sender's device stops sending to one device, or withdraws the offer from everyone. */
  async cancel(device: TransferDevice, data: ClientMessages['transfer.cancel']): Promise<void> {
    const transfer = await this.store.get(data.transferId);
    if (!transfer || transfer.from.connId !== device.connId) {
      throw notFound(data.transferId);
    }
    if (data.connId === undefined) {
      await this.#withdraw(transfer);
      return;
    }
    if (!(await this.store.removeReceiver(transfer.id, data.connId))) {
      throw peerNotFound(data.connId);
    }
    await this.#toDevice(data.connId, 'transfer.cancelled', { transferId: transfer.id, connId: data.connId });
  }

  /**
   * SDP or ICE between the sender's device and a device that accepted, in either direction; nothing else is
   * relayed. Checked against the store only: no database query per ICE candidate.
   */
  async signal(device: TransferDevice, data: ClientMessages['transfer.signal']): Promise<void> {
    const { transferId, toConnId } = data;
    const transfer = await this.store.get(transferId);
    if (!transfer) {
      throw notFound(transferId);
    }
    if (device.connId === transfer.from.connId) {
      if (!(await this.store.receiver(transferId, toConnId))) {
        throw peerNotFound(toConnId);
      }
    } else if (await this.store.receiver(transferId, device.connId)) {
      if (toConnId !== transfer.from.connId) {
        throw peerNotFound(toConnId);
      }
    } else {
      throw notFound(transferId);
    }
    await this.#toDevice(toConnId, 'transfer.signal', {
      transferId,
      fromUserId: device.userId,
      fromConnId: device.connId,
      signal: data.signal,
    });
  }

  /** A socket of this instance closed: its offers are withdrawn (nobody else can send those bytes). */
  async disconnected(connId: string): Promise<void> {
    const mine = this.#sending.get(connId);
    this.#sending.delete(connId);
    for (const transferId of mine ?? []) {
      const transfer = await this.store.get(transferId);
      if (transfer) {
        await this.#withdraw(transfer);
      }
    }
  }

  async #withdraw(transfer: TransferRecord): Promise<void> {
    this.#sending.get(transfer.from.connId)?.delete(transfer.id);
    if (await this.store.delete(transfer.id)) {
      await this.events.emit('transfer.withdrawn', {
        transferId: transfer.id,
        roomId: transfer.roomId,
        senderId: transfer.from.userId,
      });
    }
  }

  /** A transfer of one of my rooms that I may receive (not my own offer). */
  async #visible(device: TransferDevice, transferId: string): Promise<TransferRecord> {
    const transfer = await this.store.get(transferId);
    if (!transfer) {
      throw notFound(transferId);
    }
    try {
      await this.access.requireRoomMember(device.userId, transfer.roomId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'ROOM_NOT_FOUND') {
        throw notFound(transferId);
      }
      throw error;
    }
    if (transfer.from.userId === device.userId) {
      throw new AppError('INVALID_OPERATION', 'This is your own offer');
    }
    return transfer;
  }

  #toDevice<K extends TransferDeviceFrame>(toConnId: string, type: K, data: ServerMessages[K]): Promise<void> {
    return this.events.emit('transfer.toDevice', { toConnId, type, data } as DomainEvents['transfer.toDevice']);
  }
}

function notFound(transferId: string): AppError {
  return new AppError('TRANSFER_NOT_FOUND', `Transfer ${transferId} does not exist, has ended, or is not yours`);
}

function peerNotFound(connId: string): AppError {
  return new AppError('TRANSFER_PEER_NOT_FOUND', `Connection ${connId} is not the other end of this transfer`);
}

function toTransferDto(transfer: TransferRecord): TransferDto {
  return {
    transferId: transfer.id,
    roomId: transfer.roomId,
    threadId: transfer.threadId,
    file: transfer.file,
    from: transfer.from,
    offeredAt: transfer.offeredAt,
  };
}
