import type { NextFunction, Request, Response } from 'express';
import { plainHost } from '../origin';

export interface SecurityHeadersOptions {
  /**
   * Send Strict-Transport-Security. Only when Pychat serves HTTPS itself with the operator's certificate: behind
   * a proxy the proxy decides, and with the generated self-signed certificate HSTS would turn the "proceed
   * anyway" of a renewed (hence again untrusted) certificate into a hard lock-out.
   */
  hsts: boolean;
  /** PYCHAT_CAPTCHA=recaptcha: Google's script and its challenge frame are allowed (nothing else of Google's). */
  recaptcha?: boolean;
}

/**
 * The Content-Security-Policy of the web app. The production build has no inline script, no eval (webpack's
 * devtool is `source-map`) and no inline style: CSS is extracted to files, and Vue sets `:style` bindings
 * through the CSSOM, which style-src does not govern. Workers and the service worker load from 'self'.
 * `media-src blob:`: the composer plays a recorded voice or video message back before it is sent.
 * YouTube cards (embeddedYoutube setting): the thumbnail from i.ytimg.com (img-src) and, only after a click, the
 * privacy-enhanced player from www.youtube-nocookie.com (frame-src); nothing else from YouTube is allowed.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https://i.ytimg.com",
  'frame-src https://www.youtube-nocookie.com',
  "font-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * Browser hardening on every answer (docs/deploy.md "Security headers"). The same policy goes on JSON answers:
 * it costs nothing and a JSON body opened as a document then runs nothing. Written by hand rather than with
 * helmet: a fixed set of constant headers plus one per-request directive (the WebSocket origin), and helmet's
 * defaults (HSTS always on) are wrong for plain-HTTP installs.
 */
export function securityHeaders(options: SecurityHeadersOptions) {
  const fixed: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    // Legacy twin of frame-ancestors for browsers without CSP level 2.
    ['X-Frame-Options', 'DENY'],
    // same-origin, not no-referrer: with no-referrer a same-origin form POST would carry `Origin: null`.
    ['Referrer-Policy', 'same-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
  ];
  if (options.hsts) {
    fixed.push(['Strict-Transport-Security', 'max-age=31536000']);
  }
  const csp = (
    options.recaptcha
      ? CSP.map((d) =>
          d.startsWith('script-src ')
            ? `${d} https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/`
            : d.startsWith('frame-src ')
              ? `${d} https://www.google.com/recaptcha/`
              : d,
        )
      : CSP
  ).join('; ');
  return (req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of fixed) {
      res.setHeader(name, value);
    }
    // 'self' covers ws(s) of the same host in current browsers; older Safari wants the WebSocket origin spelled
    // out. Both schemes: behind a proxy that is not trusted, Pychat cannot tell which one the browser uses, and
    // a browser refuses ws: from an https page anyway.
    const host = plainHost(req.headers.host);
    const connect = host ? `connect-src 'self' ws://${host} wss://${host}` : "connect-src 'self'";
    res.setHeader('Content-Security-Policy', `${csp}; ${connect}`);
    next();
  };
}

/** User data must not stay in a browser's or a proxy's cache: every /api answer is `no-store`. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
