import { SESSION_COOKIE, type LinkedIdentitiesResponse } from '@pychat/protocol';
import { parse } from 'cookie';
import { Router, type CookieOptions, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OidcFlowCodec } from '../auth/oidc-client';
import { sessionTokenOf } from '../auth/session-token';
import { AppError } from '../errors';
import type { AuthService } from '../services/auth.service';
import type { OidcService } from '../services/oidc.service';
import { clientInfo } from './auth.router';
import { currentUser, requireSession } from './middleware/auth';
import { validate } from './validate';

const DEFAULT_FLOW_COOKIE = 'pychat_oidc';
export const OIDC_FLOW_COOKIE = DEFAULT_FLOW_COOKIE;
const DEFAULT_CALLBACK_PATH = '/api/auth/oidc/callback';

export interface OidcRouterOptions {
  /** Where the provider sends the browser back, and the flow cookie's path (default: the OpenID Connect one). */
  callbackPath?: string;
  /** The flow cookie's name (default `pychat_oidc`). */
  cookieName?: string;
  /** Added to the redirects back to the app as `&oidcProvider=`, so the page names the right provider (`facebook`). */
  providerKey?: string;
  cookieSecure: boolean;
  sessionTtlMs: number;
  /** PYCHAT_PUBLIC_URL: the callback URL is checked as the provider saw it, not as a proxy rewrote it. */
  publicUrl: string;
  codec: OidcFlowCodec;
  now: () => number;
}

const StartQuery = z.strictObject({ mode: z.enum(['sign-in', 'link']).optional() });
const IdentityId = z.coerce.number().int().positive();

/**
 * /api/auth/oidc: `start` sends the browser to the provider, `callback` is where it comes back (both are page
 * navigations, so they answer with redirects: errors go to the page as `?oidcError=<CODE>`).
 */
export function oidcRouter(oidc: OidcService, auth: AuthService, options: OidcRouterOptions): Router {
  const router = Router();
  const CALLBACK_PATH = options.callbackPath ?? DEFAULT_CALLBACK_PATH;
  const OIDC_FLOW_COOKIE = options.cookieName ?? DEFAULT_FLOW_COOKIE;
  const flowCookie: CookieOptions = {
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET from another site, which Lax lets through.
    sameSite: 'lax',
    secure: options.cookieSecure,
    path: CALLBACK_PATH,
    maxAge: 10 * 60_000,
  };
  const sessionUser = async (req: Request) => {
    const token = sessionTokenOf(req);
    return token ? ((await auth.authenticate(token))?.user ?? null) : null;
  };
  const fail = (res: Response, page: string, error: unknown) => {
    const code = error instanceof AppError ? error.code : 'INTERNAL';
    const provider = options.providerKey ? `&oidcProvider=${encodeURIComponent(options.providerKey)}` : '';
    res.redirect(303, `${page}?oidcError=${encodeURIComponent(code)}${provider}`);
  };

  router.get('/start', async (req, res) => {
    const { mode = 'sign-in' } = validate(StartQuery, req.query);
    const user = mode === 'link' ? await sessionUser(req) : null;
    if (mode === 'link' && !user) {
      throw new AppError('UNAUTHENTICATED', 'Sign in first: no valid session');
    }
    try {
      const { url, flow } = await oidc.start(mode, user?.id ?? null);
      res.cookie(OIDC_FLOW_COOKIE, options.codec.encode(flow), flowCookie);
      res.redirect(303, url);
    } catch (error) {
      fail(res, mode === 'link' ? '/profile' : '/login', error);
    }
  });

  router.get('/callback', async (req, res) => {
    const flow = options.codec.decode(parse(req.headers.cookie ?? '')[OIDC_FLOW_COOKIE], options.now());
    // Single use: whatever happens next, this flow is spent.
    res.clearCookie(OIDC_FLOW_COOKIE, { path: CALLBACK_PATH });
    const page = flow?.mode === 'link' ? '/profile' : '/login';
    try {
      const user = await sessionUser(req);
      const url = new URL(`${options.publicUrl}${req.originalUrl.slice(req.originalUrl.indexOf(CALLBACK_PATH))}`);
      const outcome = await oidc.callback(url, flow, user?.id ?? null, clientInfo(req));
      if (outcome.kind === 'linked') {
        const provider = options.providerKey ? `&oidcProvider=${encodeURIComponent(options.providerKey)}` : '';
        res.redirect(303, `/profile?oidcLinked=1${provider}`);
        return;
      }
      res.cookie(SESSION_COOKIE, outcome.auth.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.cookieSecure,
        path: '/',
        maxAge: options.sessionTtlMs,
      });
      res.redirect(303, '/');
    } catch (error) {
      fail(res, page, error);
    }
  });

  router.get('/identities', requireSession(auth), async (_req, res) => {
    const body: LinkedIdentitiesResponse = await oidc.list(currentUser(res));
    res.json(body);
  });

  router.delete('/identities/:id', requireSession(auth), async (req, res) => {
    await oidc.unlink(currentUser(res), validate(IdentityId, req.params.id));
    res.status(204).end();
  });

  return router;
}
