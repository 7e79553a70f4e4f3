import type { CallDto } from '@pychat/protocol';
import type { Module } from 'vuex';
import type { ActiveCall, CallDevices, CallPeer, CallsState, IncomingCall, RootState } from '../types';

/**
 * Calls as the UI shows them. MediaStreams and RTCPeerConnections stay in CallService (vuex would make them
 * reactive proxies, which breaks `srcObject` and costs for nothing): peers are referenced by `connId`.
 */
export const calls = {
  namespaced: true,
  state: (): CallsState => ({
    connId: null,
    running: {},
    incoming: null,
    active: null,
    peers: {},
    notice: null,
    devices: { mic: '', camera: '', speaker: '' },
    log: {},
  }),
  getters: {
    /** The call running in a room (for "a call is active in this room — Join"), if any. */
    runningIn:
      (state: CallsState) =>
      (roomId: number): CallDto | undefined =>
        state.running[roomId],
    peerList: (state: CallsState): CallPeer[] => Object.values(state.peers),
  },
  mutations: {
    setConnId(state: CallsState, connId: string | null) {
      state.connId = connId;
    },
    setRunning(state: CallsState, list: CallDto[]) {
      state.running = Object.fromEntries(list.map((call) => [call.roomId, call]));
    },
    putRunning(state: CallsState, call: CallDto) {
      state.running[call.roomId] = call;
    },
    peerJoined(state: CallsState, { roomId, callId, userId, connId }: PeerRef) {
      const call = state.running[roomId];
      if (call?.callId === callId && !call.peers.some((p) => p.connId === connId)) {
        call.peers.push({ userId, connId });
      }
    },
    peerLeft(state: CallsState, { roomId, callId, connId }: PeerRef) {
      const call = state.running[roomId];
      if (call?.callId === callId) {
        call.peers = call.peers.filter((p) => p.connId !== connId);
      }
    },
    ended(state: CallsState, { roomId, callId }: { roomId: number; callId: string }) {
      if (state.running[roomId]?.callId === callId) {
        delete state.running[roomId];
      }
      if (state.incoming?.callId === callId) {
        state.incoming = null;
      }
    },
    setIncoming(state: CallsState, incoming: IncomingCall | null) {
      state.incoming = incoming;
    },
    setActive(state: CallsState, active: ActiveCall | null) {
      state.active = active;
      if (!active) {
        state.peers = {};
      }
    },
    setMedia(state: CallsState, media: Partial<Pick<ActiveCall, 'micOn' | 'camOn' | 'hasCamera' | 'screen'>>) {
      if (state.active) {
        Object.assign(state.active, media);
      }
    },
    putPeer(state: CallsState, peer: CallPeer) {
      state.peers[peer.connId] = peer;
    },
    updatePeer(state: CallsState, { connId, ...patch }: Partial<CallPeer> & { connId: string }) {
      const peer = state.peers[connId];
      if (peer) {
        Object.assign(peer, patch);
      }
    },
    removePeer(state: CallsState, connId: string) {
      delete state.peers[connId];
    },
    setNotice(state: CallsState, notice: string | null) {
      state.notice = notice;
    },
    logLine(state: CallsState, { roomId, at, text }: { roomId: number; at: number; text: string }) {
      const lines = (state.log[roomId] ??= []);
      lines.push({ id: `call-log-${roomId}-${lines.length}`, at, text });
    },
    setDevices(state: CallsState, devices: Partial<CallDevices>) {
      Object.assign(state.devices, devices);
    },
  },
} satisfies Module<CallsState, RootState>;

interface PeerRef {
  roomId: number;
  callId: string;
  userId: number;
  connId: string;
}
