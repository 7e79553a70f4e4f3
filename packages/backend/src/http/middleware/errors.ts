import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody, ErrorCode } from '@pychat/protocol';
import { AppError, isUnavailableError } from '../../errors';
import type { Logger } from '../../logger';

/**
 * A body the JSON parser refused: body-parser's http-errors carry a 4xx `status`, `expose` and mostly a `type`
 * naming the cause; a broken gzip/deflate/br stream comes as zlib's error wrapped in a bare 400. Mapped to a
 * documented code; the client's mistake, so logged at debug without a stack.
 */
function bodyError(error: unknown): { status: number; body: ErrorBody } | null {
  const e = error as { type?: unknown; status?: unknown; expose?: unknown } | null;
  const clientError = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
  if (!clientError || (typeof e.type !== 'string' && e.status !== 400)) {
    return null;
  }
  const answer = (status: number, code: ErrorCode, message: string) => ({ status, body: { code, message } });
  switch (e.type) {
    case 'entity.too.large':
      return answer(413, 'FRAME_TOO_LARGE', 'Request body too large');
    case 'entity.parse.failed':
      return answer(400, 'BAD_JSON', 'Request body is not valid JSON');
    case 'charset.unsupported':
      return answer(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON in UTF-8 (or no charset)');
    case 'encoding.unsupported':
      return answer(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Unsupported Content-Encoding: send the body as is, or gzip, deflate or br',
      );
    default:
      // Broken compressed data, a Content-Length the body does not match, an aborted upload.
      return answer(400, 'BAD_JSON', 'Request body could not be read (broken compression or length)');
  }
}

/** Known errors become `{ code, message }` with their status; anything else a logged 500 without a stack. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const requestId = String(res.locals.requestId ?? '');
    if (error instanceof AppError) {
      const retryAfterMs = error.retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil(error.retryAfterMs));
      if (retryAfterMs !== undefined) {
        res.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      }
      res.status(error.status).json({
        code: error.code,
        message: error.message,
        ...(error.issues ? { issues: error.issues } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      return;
    }
    const refused = bodyError(error);
    if (refused) {
      logger.debug({ req: requestId, code: refused.body.code, status: refused.status }, 'request body refused');
      res.status(refused.status).json(refused.body);
      return;
    }
    // The router could not percent-decode a path parameter (/api/users/%/profile).
    if (error instanceof URIError) {
      res
        .status(400)
        .json({ code: 'VALIDATION_FAILED', message: 'Malformed URL: a path parameter is not valid percent-encoding' });
      return;
    }
    if (isUnavailableError(error)) {
      logger.warn({ req: requestId, err: error }, 'database unavailable');
      res.status(503).json({ code: 'UNAVAILABLE', message: 'The server cannot reach its database right now' });
      return;
    }
    logger.error({ req: requestId, err: error, path: req.path }, 'request failed');
    res.status(500).json({ code: 'INTERNAL', message: `Internal server error (request ${requestId})` });
  };
}
