import { z } from 'zod';
import { Empty } from '../model/dto';
import { MessageId, Millis, RoomId, UserId } from '../model/ids';
import { LIMITS } from '../model/limits';
import { ConnId, IceCandidateDto } from './call';
import { request } from './define';

/**
 * Peer-to-peer file transfer (docs/p2p.md): the server relays only the offer, the answers and the WebRTC
 * signalling between the sender's device and each device that accepted; the file goes over an RTCDataChannel.
 */

/** Server-made, 96 random bits: a guessed or foreign id reads as TRANSFER_NOT_FOUND. */
export const TransferId = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'not a transfer id');
export type TransferId = z.infer<typeof TransferId>;

/** The offered file, as the receiver sees it before accepting; `sha256` is checked by the receiver. */
export const TransferFileDto = z.strictObject({
  name: z.string().min(1).max(LIMITS.transferFileNameMaxLength),
  /** Bytes; a file of 0 bytes is not offered (pychat's rule). */
  size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** MIME type as the browser gave it ('' when unknown). */
  type: z.string().max(255),
  /** Hex SHA-256 of the whole file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
});
export type TransferFileDto = z.infer<typeof TransferFileDto>;

export const TransferDto = z.strictObject({
  transferId: TransferId,
  roomId: RoomId,
  threadId: MessageId.nullable(),
  file: TransferFileDto,
  /** The offering device: only it exchanges signalling with the devices that accept. */
  from: z.strictObject({ userId: UserId, connId: ConnId }),
  offeredAt: Millis,
});
export type TransferDto = z.infer<typeof TransferDto>;

/** One WebRTC signal: an SDP offer/answer or a trickled ICE candidate. */
export const TransferSignalDto = z.union([
  z.strictObject({
    description: z.strictObject({
      type: z.enum(['offer', 'answer']),
      sdp: z.string().min(1).max(LIMITS.rtcSdpMaxLength),
    }),
  }),
  z.strictObject({ candidate: IceCandidateDto }),
]);
export type TransferSignalDto = z.infer<typeof TransferSignalDto>;

const TransferRef = z.strictObject({ transferId: TransferId });

export const transferRequests = {
  /** Offer a file to the other members of a room (or a thread of it); this device is the sender. */
  'transfer.offer': request(
    z.strictObject({ roomId: RoomId, threadId: MessageId.optional(), file: TransferFileDto }),
    z.strictObject({ transferId: TransferId }),
  ),
  /**
   * Receive it on this device, from byte `received` on (0 at first; the bytes already on disk when resuming
   * after a lost connection). The sender then offers a peer connection to this device.
   */
  'transfer.accept': request(
    TransferRef.extend({ received: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }),
    Empty,
  ),
  /** Refuse it on this device, or stop receiving it. */
  'transfer.decline': request(TransferRef, Empty),
  /** The sender stops sending: to one receiving device (`connId`) or to everyone (the offer is withdrawn). */
  'transfer.cancel': request(TransferRef.extend({ connId: ConnId.optional() }), Empty),
  /** Signalling between the sender's device and one device that accepted. */
  'transfer.signal': request(TransferRef.extend({ toConnId: ConnId, signal: TransferSignalDto }), Empty),
};

const DeviceEvent = z.strictObject({ transferId: TransferId, userId: UserId, connId: ConnId });

export const transferEvents = {
  /** A file is offered in one of my rooms (every device of every member but the sender). */
  'transfer.incoming': z.strictObject({ transfer: TransferDto }),
  /** To the sender's device: a device accepted (again, when resuming) and waits for an offer. */
  'transfer.accepted': DeviceEvent.extend({
    received: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  /** To the sender's device: a device declined or stopped receiving. */
  'transfer.declined': DeviceEvent,
  /**
   * The sender stopped: to one device (`connId` is that device), or to every member device when the offer is
   * withdrawn or the sender's device went away (`connId` null).
   */
  'transfer.cancelled': z.strictObject({ transferId: TransferId, connId: ConnId.nullable() }),
  'transfer.signal': z.strictObject({
    transferId: TransferId,
    fromUserId: UserId,
    fromConnId: ConnId,
    signal: TransferSignalDto,
  }),
};
