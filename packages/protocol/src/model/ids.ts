import { z } from 'zod';

/** A database id: positive, safe integer. Forged ids outside this range are refused at the edge. */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export type Id = z.infer<typeof Id>;

export const UserId = Id;
export type UserId = Id;
export const RoomId = Id;
export type RoomId = Id;
export const ChannelId = Id;
export type ChannelId = Id;
export const MessageId = Id;
export type MessageId = Id;

/** Epoch milliseconds. */
export const Millis = z.number().int().nonnegative();

export { ALL_CHANNEL_ID, ALL_ROOM_ID } from '../constants';
