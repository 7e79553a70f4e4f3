import { z } from 'zod';
import { Empty } from '../model/dto';
import { RoomId, UserId } from '../model/ids';
import { ConnId } from './call';
import { request } from './define';
import { TransferSignalDto } from './transfer';

/**
 * P2P rooms (docs/p2p.md §7): messages of a direct room flagged p2p go between the devices of its two members
 * over RTCDataChannels. The server relays only who is present and the WebRTC signalling between them; it never
 * sees a message.
 */

/** One device present in a p2p room. */
export const P2pDeviceDto = z.strictObject({ userId: UserId, connId: ConnId });
export type P2pDeviceDto = z.infer<typeof P2pDeviceDto>;

const P2pRoomRef = z.strictObject({ roomId: RoomId });

export const p2pRequests = {
  /**
   * This device is present in a p2p room of mine: the reply lists the devices already there (this one offers a
   * peer connection to each), and they get `p2p.joined`. Repeatable (after a reconnect, or p2p switched on).
   */
  'p2p.join': request(P2pRoomRef, z.strictObject({ devices: z.array(P2pDeviceDto) })),
  /** This device leaves the room's mesh (the room switched p2p off, or was closed). */
  'p2p.leave': request(P2pRoomRef, Empty),
  /** SDP or ICE to another device present in the same p2p room. */
  'p2p.signal': request(P2pRoomRef.extend({ toConnId: ConnId, signal: TransferSignalDto }), Empty),
};

export const p2pEvents = {
  /** To every other device present in the room: a device joined; it sends the offer. */
  'p2p.joined': z.strictObject({ roomId: RoomId, userId: UserId, connId: ConnId }),
  /** To every other device present in the room: a device left or its socket closed. */
  'p2p.left': z.strictObject({ roomId: RoomId, connId: ConnId }),
  'p2p.signal': z.strictObject({
    roomId: RoomId,
    fromUserId: UserId,
    fromConnId: ConnId,
    signal: TransferSignalDto,
  }),
};
