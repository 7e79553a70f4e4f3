import {
  ClientEnvelope,
  clientRequests,
  describeIssues,
  isClientType,
  type ClientType,
  type ErrorBody,
  type ErrorFrame,
  type ReplyFrame,
} from '@pychat/protocol';
import { AppError, isUnavailableError, RateLimitedError } from '../errors';
import type { Logger } from '../logger';
import type { Handlers, WsContext } from './context';
import type { RequestLimits } from './request-limits';

/**
 * Finds a request id in a frame too large to parse, so even that error can be matched to its request.
 * Only what the envelope would accept as an id (a positive integer): `0`, `1.5`, `1e3` or a 17-digit
 * number must not become a `replyTo` that answers some other request.
 */
const ID_IN_PREFIX = /"id"\s*:\s*([1-9]\d{0,14})(?![\d.eE])/;

/**
 * Turns raw frames into typed handler calls: size check, JSON, envelope, type, schema, handler.
 * Every failure becomes an `error` frame with a documented code; the socket always stays open.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: Handlers,
    private readonly maxFrameBytes: number,
    private readonly logger: Logger,
    private readonly limits: RequestLimits | null = null,
  ) {}

  async dispatch(ctx: WsContext, raw: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      return this.fail(ctx, undefined, new AppError('BAD_FRAME', 'Binary frames are not part of the protocol'));
    }
    if (raw.length > this.maxFrameBytes) {
      const id = ID_IN_PREFIX.exec(raw.subarray(0, 256).toString('utf8'))?.[1];
      return this.fail(
        ctx,
        id === undefined ? undefined : Number(id),
        new AppError('FRAME_TOO_LARGE', `Frames are limited to ${this.maxFrameBytes} bytes, got ${raw.length}`),
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.fail(ctx, undefined, new AppError('BAD_JSON', 'Frame is not valid JSON'));
    }
    const envelope = ClientEnvelope.safeParse(json);
    if (!envelope.success) {
      const id = (json as { id?: unknown } | null)?.id;
      return this.fail(
        ctx,
        typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined,
        new AppError('BAD_FRAME', 'Expected {type, id?, data}', describeIssues(envelope.error)),
      );
    }
    const { type, id, data } = envelope.data;
    if (!isClientType(type)) {
      ctx.conn.warn('unknown frame type', { type: type.slice(0, 64) });
      return this.fail(ctx, id, new AppError('UNKNOWN_TYPE', `Unknown frame type "${type.slice(0, 64)}"`));
    }
    const parsed = clientRequests[type].request.safeParse(data);
    if (!parsed.success) {
      return this.fail(
        ctx,
        id,
        new AppError('VALIDATION_FAILED', `Invalid data for ${type}`, describeIssues(parsed.error)),
      );
    }
    const waitMs = this.limits?.take(ctx.conn, type, Date.now()) ?? 0;
    if (waitMs > 0) {
      ctx.conn.warn('rate limited', { type });
      return this.fail(ctx, id, new RateLimitedError(`Too many ${type} requests; retry in ${waitMs} ms`, waitMs));
    }
    try {
      const reply = await this.call(type, ctx, parsed.data);
      if (id !== undefined) {
        const frame = { type: 'reply', replyTo: id, data: reply } as ReplyFrame;
        ctx.conn.send(JSON.stringify(frame));
      }
    } catch (error) {
      await this.fail(ctx, id, error);
    }
  }

  private call<K extends ClientType>(type: K, ctx: WsContext, data: unknown): Promise<unknown> {
    // Safe: `data` was just parsed by clientRequests[type].request.
    const handler = this.handlers[type] as (ctx: WsContext, data: unknown) => Promise<unknown>;
    return handler(ctx, data);
  }

  private async fail(ctx: WsContext, replyTo: number | undefined, error: unknown): Promise<void> {
    let body: ErrorBody;
    if (error instanceof AppError) {
      body = { code: error.code, message: error.message };
      if (error.issues) {
        body.issues = error.issues;
      }
      const { retryAfterMs } = error as { retryAfterMs?: unknown };
      if (typeof retryAfterMs === 'number') {
        body.retryAfterMs = retryAfterMs;
      }
    } else if (isUnavailableError(error)) {
      ctx.conn.warn('database unavailable', { err: error });
      body = { code: 'UNAVAILABLE', message: 'The server cannot reach its database right now; retry shortly' };
    } else {
      this.logger.error({ err: error, conn: ctx.conn.id, user: ctx.userId }, 'handler failed');
      body = { code: 'INTERNAL', message: `Internal server error (connection ${ctx.conn.id})` };
    }
    const frame: ErrorFrame = { type: 'error', data: body };
    if (replyTo !== undefined) {
      frame.replyTo = replyTo;
    }
    ctx.conn.send(JSON.stringify(frame));
  }
}
