import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';

/** Express's compiled `trust proxy` setting: is the peer at `address`, `hop` proxies away, a trusted proxy? */
export type TrustProxy = (address: string, hop: number) => boolean;

/** A Host header (name or bracketed IPv6, optional port) with nothing a URL parser could read as more. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The host and port of a Host header, or null when it is missing or anything but a plain host. */
export function plainHost(host: string | undefined): string | null {
  return host !== undefined && HOST.test(host) ? host : null;
}

/** `scheme://host[:port]` as browsers serialize it (lower case, default port dropped), or null if it is none. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The scheme the browser used, as Express's `req.protocol` computes it: https when Pychat serves TLS; behind a
 * trusted proxy the first `X-Forwarded-Proto`; otherwise http. For the upgrade request, which Express never sees.
 */
export function requestScheme(req: IncomingMessage, trustProxy: TrustProxy): string {
  const own = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  if (!trustProxy(req.socket.remoteAddress ?? '', 0)) {
    return own;
  }
  const header = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return first || own;
}

/**
 * Whether a request carrying `Origin: origin` may act on the user's session: the origin is this server's own
 * (same scheme, host and port as the request reached it) or listed in PYCHAT_ALLOWED_ORIGINS. `origin: null`
 * (sandboxed frames, privacy redirects) is refused like any foreign origin.
 */
export function originAllowed(
  origin: string,
  request: { scheme: string; host: string | undefined },
  allowed: readonly string[],
): boolean {
  const given = normalizeOrigin(origin);
  if (given === null) {
    return false;
  }
  if (allowed.some((entry) => normalizeOrigin(entry) === given)) {
    return true;
  }
  const host = plainHost(request.host);
  return host !== null && normalizeOrigin(`${request.scheme}://${host}`) === given;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing API requests (POST, PUT, PATCH, DELETE) that a browser sent from another origin, with
 * 403 FORBIDDEN. SameSite=Lax keeps the cookie off cross-site requests, but a page of the same site (another
 * subdomain, another port) still sends it: this closes that. Requests without Origin (curl, other servers,
 * native clients) pass: browsers always send Origin on these methods, and without a browser there is no
 * ambient cookie to abuse.
 */
export function requireSameOrigin(allowed: readonly string[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (SAFE_METHODS.has(req.method) || origin === undefined) {
      next();
      return;
    }
    if (!originAllowed(origin, { scheme: req.protocol, host: req.headers.host }, allowed)) {
      throw new AppError(
        'FORBIDDEN',
        `Origin ${origin.slice(0, 100)} may not call ${req.method} on this server (not its own origin nor in PYCHAT_ALLOWED_ORIGINS)`,
      );
    }
    next();
  };
}
