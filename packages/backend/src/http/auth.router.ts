import {
  SESSION_COOKIE,
  SignInBody,
  SignOutAllBody,
  SignUpBody,
  Username,
  type AvailabilityResponse,
  type SessionResponse,
  type SignOutAllResponse,
} from '@pychat/protocol';
import { Router, type CookieOptions, type Request, type Response } from 'express';
import type { AuthService, ClientInfo } from '../services/auth.service';
import type { CaptchaService } from '../services/captcha.service';
import { toUserDto } from '../services/user.service';
import { currentSessionId, currentUser, requireSession } from './middleware/auth';
import { sessionTokenOf } from '../auth/session-token';
import { validate } from './validate';

export interface AuthRouterOptions {
  cookieSecure: boolean;
  sessionTtlMs: number;
  /** SMTP configured (GET /session tells the web app whether to show the email flows). */
  mail: boolean;
  /** PYCHAT_GIPHY_API_KEY set: the GIF picker. */
  gifs: boolean;
  /** OpenID Connect configured: its button label. */
  oidc: { name: string } | null;
  /** Facebook Login configured. */
  facebook?: boolean;
  /** PYCHAT_CAPTCHA: which widget the forms show, and the ALTCHA challenges. */
  captcha: CaptchaService;
}

export function clientInfo(req: Request): ClientInfo {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}

export function authRouter(auth: AuthService, options: AuthRouterOptions): Router {
  const router = Router();
  const cookie: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.cookieSecure,
    path: '/',
    maxAge: options.sessionTtlMs,
  };
  const setSession = (res: Response, token: string) => res.cookie(SESSION_COOKIE, token, cookie);

  router.post('/sign-up', async (req, res) => {
    const result = await auth.signUp(validate(SignUpBody, req.body), clientInfo(req));
    setSession(res, result.token);
    res.status(201).json(result);
  });

  router.post('/sign-in', async (req, res) => {
    const result = await auth.signIn(validate(SignInBody, req.body), clientInfo(req));
    setSession(res, result.token);
    res.json(result);
  });

  router.post('/sign-out', async (req, res) => {
    const token = sessionTokenOf(req);
    if (token) {
      await auth.signOut(token);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.post('/sign-out-all', requireSession(auth), async (req, res) => {
    const { keepCurrent } = validate(SignOutAllBody, req.body ?? {});
    const ended = await auth.signOutAll(currentUser(res).id, keepCurrent ? currentSessionId(res) : undefined);
    if (!keepCurrent) {
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    const body: SignOutAllResponse = { ended };
    res.json(body);
  });

  router.get('/session', async (req, res) => {
    const token = sessionTokenOf(req);
    const session = token ? await auth.authenticate(token) : null;
    const body: SessionResponse = {
      user: session ? toUserDto(session.user) : null,
      admin: session?.user.isAdmin ?? false,
      features: {
        mail: options.mail,
        registration: auth.registration,
        gifs: options.gifs,
        oidc: options.oidc,
        facebook: options.facebook ?? false,
        captcha: options.captcha.feature,
      },
    };
    res.set('Cache-Control', 'no-store').json(body);
  });

  /** An ALTCHA challenge for the widget (its `challengeurl`); a fresh one per request, never cached. */
  router.get('/captcha/altcha', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await options.captcha.altchaChallenge());
  });

  router.get('/username-available', async (req, res) => {
    const parsed = Username.safeParse(req.query.username);
    const body: AvailabilityResponse = parsed.success
      ? { available: await auth.usernameAvailable(parsed.data) }
      : { available: false, reason: parsed.error.issues[0]?.message ?? 'invalid' };
    if (parsed.success && !body.available) {
      body.reason = 'Username is already taken';
    }
    res.json(body);
  });

  return router;
}
