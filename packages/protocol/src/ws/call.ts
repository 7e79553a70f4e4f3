import { z } from 'zod';
import { Empty } from '../model/dto';
import { Millis, RoomId, UserId } from '../model/ids';
import { LIMITS } from '../model/limits';
import { request } from './define';

/**
 * Calls (audio/video, full mesh between devices) and their WebRTC signalling; docs/webrtc.md has the state
 * machine, who may send what and the mapping to pychat's actions.
 */

/** Server-made, 96 random bits: a guessed id reads as CALL_NOT_FOUND like a real call of another room. */
export const CallId = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'not a call id');
export type CallId = z.infer<typeof CallId>;
/** A socket's id (`session.ready.connectionId`): every device of every member is its own peer. */
export const ConnId = z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'not a connection id');
export type ConnId = z.infer<typeof ConnId>;

export const CallPeerDto = z.strictObject({ userId: UserId, connId: ConnId });
export type CallPeerDto = z.infer<typeof CallPeerDto>;

export const CallDto = z.strictObject({
  callId: CallId,
  roomId: RoomId,
  /** What the caller started with; every peer chooses its own media. */
  video: z.boolean(),
  startedBy: CallPeerDto,
  startedAt: Millis,
  /** Devices in the call now (joined). */
  peers: z.array(CallPeerDto),
});
export type CallDto = z.infer<typeof CallDto>;

/** An SDP body as RTCSessionDescription.sdp carries it, at most LIMITS.rtcSdpMaxLength characters. */
const Sdp = z.string().min(1).max(LIMITS.rtcSdpMaxLength);

/** RTCIceCandidateInit; `candidate: ''` is end-of-candidates. */
export const IceCandidateDto = z.strictObject({
  candidate: z
    .string()
    .max(LIMITS.rtcCandidateMaxLength)
    .regex(/^(candidate:[\x21-\x7e][\x20-\x7e]*)?$/, 'expected "candidate:…" (printable ASCII) or ""'),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1023).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidateDto = z.infer<typeof IceCandidateDto>;

const CallRef = z.strictObject({ callId: CallId });
const SdpToPeer = z.strictObject({ callId: CallId, toConnId: ConnId, sdp: Sdp });

export const callRequests = {
  /** Start a call in a room I am a member of; I (this device) am its first peer. One call per room at a time. */
  'call.start': request(z.strictObject({ roomId: RoomId, video: z.boolean() }), z.strictObject({ callId: CallId })),
  /** Answer, or join a running call late: the reply lists the devices already in it (send each an offer). */
  'call.join': request(CallRef, z.strictObject({ call: CallDto })),
  /** Refuse an incoming call on this device (others see call.declined; the call goes on). */
  'call.decline': request(CallRef, Empty),
  /** Hang up this device. The last device leaving ends the call. */
  'call.leave': request(CallRef, Empty),
  /** Calls running now in my rooms: ask after every session.ready, then follow the call.* events. */
  'call.list': request(Empty, z.strictObject({ calls: z.array(CallDto) })),
  /** SDP offer to one device of the same call; both must have joined. */
  'rtc.offer': request(SdpToPeer, Empty),
  'rtc.answer': request(SdpToPeer, Empty),
  /** One trickled ICE candidate to one device of the same call. */
  'rtc.candidate': request(z.strictObject({ callId: CallId, toConnId: ConnId, candidate: IceCandidateDto }), Empty),
};

const PeerEvent = z.strictObject({ callId: CallId, roomId: RoomId, userId: UserId, connId: ConnId });
const SdpFromPeer = z.strictObject({ callId: CallId, fromUserId: UserId, fromConnId: ConnId, sdp: Sdp });

export const callEvents = {
  /** A call started in one of my rooms: ring (every member device but the caller's own). */
  'call.incoming': z.strictObject({ call: CallDto }),
  /** A device joined a call of one of my rooms: if I am in it, expect its offer. */
  'call.joined': PeerEvent,
  /** A device declined the call (my own other devices stop ringing on it). */
  'call.declined': PeerEvent,
  /** A device left: hung up, closed its socket, left the room, or its instance stopped answering. */
  'call.left': PeerEvent.extend({ reason: z.enum(['hangup', 'disconnected', 'removed']) }),
  /** The last device left: the call is over. */
  'call.ended': z.strictObject({ callId: CallId, roomId: RoomId }),
  'rtc.offer': SdpFromPeer,
  'rtc.answer': SdpFromPeer,
  'rtc.candidate': z.strictObject({
    callId: CallId,
    fromUserId: UserId,
    fromConnId: ConnId,
    candidate: IceCandidateDto,
  }),
};
