import { z } from 'zod';
import { ErrorBody } from './model/dto';
import { callEvents, callRequests } from './ws/call';
import { messageEvents, messageRequests } from './ws/message';
import { presenceEvents, presenceRequests } from './ws/presence';
import { roomEvents, roomRequests } from './ws/room';
import { sessionEvents } from './ws/session';
import { transferEvents, transferRequests } from './ws/transfer';
import { p2pEvents, p2pRequests } from './ws/p2p';

export * from './model/ids';
export * from './model/dto';
export * from './model/attachment';
export * from './model/errors';
export * from './model/limits';
export * from './model/text';
export * from './http/auth';
export * from './http/ice';
export * from './http/account';
export * from './http/push';
export * from './http/files';
export * from './http/gifs';
export * from './http/stats';
export * from './http/admin';
export { CallId, ConnId, CallPeerDto, CallDto, IceCandidateDto } from './ws/call';
export { TransferId, TransferFileDto, TransferDto, TransferSignalDto } from './ws/transfer';
export { P2pDeviceDto } from './ws/p2p';
export { RoomOnlineDto } from './ws/presence';
export type { RequestSpec } from './ws/define';

export { PROTOCOL_VERSION } from './constants';

/** Every client→server request, by frame type. */
export const clientRequests = {
  ...messageRequests,
  ...roomRequests,
  ...presenceRequests,
  ...callRequests,
  ...transferRequests,
  ...p2pRequests,
};
/** Every server→client fact, by frame type. */
export const serverEvents = {
  ...sessionEvents,
  ...messageEvents,
  ...roomEvents,
  ...presenceEvents,
  ...callEvents,
  ...transferEvents,
  ...p2pEvents,
};

export type ClientType = keyof typeof clientRequests;
export type ServerEventType = keyof typeof serverEvents;
export type ClientMessages = { [K in ClientType]: z.infer<(typeof clientRequests)[K]['request']> };
export type ClientReplies = { [K in ClientType]: z.infer<(typeof clientRequests)[K]['reply']> };
export type ServerMessages = { [K in ServerEventType]: z.infer<(typeof serverEvents)[K]> };

/** Client→server frame. `id` asks for an answer: a `reply` or an `error` frame with `replyTo: id`. */
export type ClientFrame<K extends ClientType = ClientType> = {
  [T in K]: { type: T; id?: number; data: ClientMessages[T] };
}[K];
export type ServerEventFrame<K extends ServerEventType = ServerEventType> = {
  [T in K]: { type: T; data: ServerMessages[T] };
}[K];
export interface ReplyFrame<K extends ClientType = ClientType> {
  type: 'reply';
  replyTo: number;
  data: ClientReplies[K];
}
export interface ErrorFrame {
  type: 'error';
  replyTo?: number;
  data: ErrorBody;
}
export type ServerFrame = ServerEventFrame | ReplyFrame | ErrorFrame;

/** Envelope of every client frame; `data` is then checked against the schema of `type`. */
export const ClientEnvelope = z.strictObject({
  type: z.string().max(64),
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  data: z.unknown(),
});

export function isClientType(type: string): type is ClientType {
  return Object.prototype.hasOwnProperty.call(clientRequests, type);
}

export function isServerEventType(type: string): type is ServerEventType {
  return Object.prototype.hasOwnProperty.call(serverEvents, type);
}

/** Flattens zod issues into `{ path, message }` for VALIDATION_FAILED answers. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

export {
  messageRequests,
  messageEvents,
  roomRequests,
  roomEvents,
  presenceRequests,
  presenceEvents,
  sessionEvents,
  callRequests,
  callEvents,
  transferRequests,
  transferEvents,
  p2pRequests,
  p2pEvents,
};
