import type { NextFunction, Request, Response } from 'express';
import { AppError, isUnavailableError } from '../../errors';
import type { Logger } from '../../logger';

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
    const bodyError = error as { type?: string; status?: number } | null;
    if (bodyError?.type === 'entity.too.large') {
      res.status(413).json({ code: 'FRAME_TOO_LARGE', message: 'Request body too large' });
      return;
    }
    if (bodyError?.type === 'entity.parse.failed') {
      res.status(400).json({ code: 'BAD_JSON', message: 'Request body is not valid JSON' });
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
