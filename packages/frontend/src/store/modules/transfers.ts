import type { TransferFileDto } from '@pychat/protocol';

/**
 * P2P file transfers as the UI shows them (docs/p2p.md). Files, peer connections and disk handles stay in
 * FileTransferService; the store holds only numbers and states, updated a few times a second.
 */

/** Progress of one sender→receiver pair, as either end sees it. */
export interface TransferProgress {
  /** Bytes the receiver has (sender: sent and out of the channel's buffer). */
  bytes: number;
  /** Bytes per second, smoothed. */
  speed: number;
}

export type OutgoingPeerStatus = 'connecting' | 'sending' | 'finished' | 'declined' | 'cancelled' | 'failed';
export type IncomingStatus =
  | 'offered'
  | 'connecting'
  | 'receiving'
  | 'verifying'
  | 'finished'
  | 'corrupt'
  | 'interrupted'
  | 'declined'
  | 'cancelled'
  | 'failed';

export interface OutgoingPeer extends TransferProgress {
  connId: string;
  userId: number;
  status: OutgoingPeerStatus;
}

interface TransferBase {
  transferId: string;
  roomId: number;
  threadId: number | null;
  file: TransferFileDto;
}

export interface OutgoingTransfer extends TransferBase {
  direction: 'out';
  /** One row per receiving device (added when it accepts or declines). */
  peers: Record<string, OutgoingPeer>;
  withdrawn: boolean;
}

export interface IncomingTransfer extends TransferBase, TransferProgress {
  direction: 'in';
  fromUserId: number;
  status: IncomingStatus;
  error: string | null;
}

export type Transfer = OutgoingTransfer | IncomingTransfer;

export interface TransfersState {
  byId: Record<string, Transfer>;
  /** Files being hashed before they are offered (by a local id): "preparing…" rows. */
  preparing: Record<string, { roomId: number; name: string; size: number; hashed: number }>;
}

export const transfers = {
  namespaced: true,
  state: (): TransfersState => ({ byId: {}, preparing: {} }),
  getters: {
    inRoom:
      (state: TransfersState) =>
      (roomId: number): Transfer[] =>
        Object.values(state.byId).filter((t) => t.roomId === roomId),
  },
  mutations: {
    preparing(state: TransfersState, { key, ...entry }: { key: string } & TransfersState['preparing'][string]) {
      state.preparing[key] = entry;
    },
    prepared(state: TransfersState, key: string) {
      delete state.preparing[key];
    },
    add(state: TransfersState, transfer: Transfer) {
      state.byId[transfer.transferId] = transfer;
    },
    remove(state: TransfersState, transferId: string) {
      delete state.byId[transferId];
    },
    /** Receiver side: status, progress or error of my download. */
    incoming(state: TransfersState, { transferId, ...change }: { transferId: string } & Partial<IncomingTransfer>) {
      const transfer = state.byId[transferId];
      if (transfer?.direction === 'in') {
        Object.assign(transfer, change);
      }
    },
    /** Sender side: one receiving device's row, created on first sight. */
    outgoingPeer(state: TransfersState, { transferId, ...peer }: { transferId: string } & OutgoingPeer) {
      const transfer = state.byId[transferId];
      if (transfer?.direction === 'out') {
        transfer.peers[peer.connId] = { ...transfer.peers[peer.connId], ...peer };
      }
    },
    withdrawn(state: TransfersState, transferId: string) {
      const transfer = state.byId[transferId];
      if (transfer?.direction === 'out') {
        transfer.withdrawn = true;
      }
    },
  },
};
