import pino from 'pino';

export type Logger = pino.Logger;

/** Root logger; each class takes a child named after itself: `logger.child({ ctx: 'RoomService' })`. */
export function createLogger(level: string, instanceId: string): Logger {
  return pino({ level, base: { inst: instanceId }, timestamp: pino.stdTimeFunctions.isoTime });
}
