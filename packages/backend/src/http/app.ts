import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import { staticApp } from './static';
import type { HealthResponse } from '@pychat/protocol';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AccountService } from '../services/account.service';
import type { AdminService } from '../services/admin.service';
import type { CaptchaService } from '../services/captcha.service';
import type { AuthService } from '../services/auth.service';
import type { AvatarService } from '../services/avatar.service';
import type { FileService } from '../services/file.service';
import type { GifService } from '../services/gif.service';
import type { IceService } from '../services/ice.service';
import type { LocationService } from '../services/location.service';
import type { MessageService } from '../services/message.service';
import type { OidcService } from '../services/oidc.service';
import type { PushService } from '../services/push.service';
import type { RoomService } from '../services/room.service';
import type { StatsService } from '../services/stats.service';
import type { UserService } from '../services/user.service';
import { accountRouter } from './account.router';
import { adminRouter } from './admin.router';
import { authRouter } from './auth.router';
import { filesRouter } from './files.router';
import { gifsRouter } from './gifs.router';
import { iceRouter } from './ice.router';
import { oidcRouter, type OidcRouterOptions } from './oidc.router';
import { pushRouter } from './push.router';
import type { TrustFn } from './client-ip';
import { accessLog } from './middleware/access-log';
import { requireSession } from './middleware/auth';
import { errorHandler } from './middleware/errors';
import { noStore, securityHeaders } from './middleware/security-headers';
import { requireSameOrigin } from './origin';
import { roomsRouter } from './rooms.router';
import { adminStatsRouter, placesRouter } from './stats.router';
import { usersRouter } from './users.router';

export interface HttpDeps {
  auth: AuthService;
  account: AccountService;
  admin: AdminService;
  captcha: CaptchaService;
  users: UserService;
  avatars: AvatarService;
  rooms: RoomService;
  messages: MessageService;
  ice: IceService;
  push: PushService;
  files: FileService;
  gifs: GifService;
  locations: LocationService;
  stats: StatsService;
  /** null: no OpenID Connect sign-in (PYCHAT_OIDC_ISSUER unset). */
  oidc: { service: OidcService; router: Omit<OidcRouterOptions, 'cookieSecure' | 'sessionTtlMs'> } | null;
  /** null: no Facebook sign-in (PYCHAT_FACEBOOK_APP_ID unset); the same flows as OpenID Connect. */
  facebook?: { service: OidcService; router: Omit<OidcRouterOptions, 'cookieSecure' | 'sessionTtlMs'> } | null;
  health: () => Promise<HealthResponse>;
  logger: Logger;
  staticDir: string | null;
  trustProxy: TrustFn;
  cookieSecure: boolean;
  sessionTtlMs: number;
  /** Pychat serves HTTPS with the operator's certificate: send Strict-Transport-Security. */
  hsts: boolean;
  /** PYCHAT_ALLOWED_ORIGINS: other origins whose pages may call the API and open the WebSocket. */
  allowedOrigins: readonly string[];
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The same function derives the address of WebSocket upgrades (http/client-ip.ts).
  app.set('trust proxy', deps.trustProxy);
  app.use(securityHeaders({ hsts: deps.hsts, recaptcha: deps.captcha.feature?.kind === 'recaptcha' }));
  app.use(accessLog(deps.logger));
  // Before the body is read: a refused cross-origin request costs no parsing.
  app.use('/api', noStore, requireSameOrigin(deps.allowedOrigins));
  app.use(express.json({ limit: '64kb' }));

  app.get('/api/health', async (_req, res) => {
    const health = await deps.health();
    res.status(health.ok ? 200 : 503).json(health);
  });
  if (deps.oidc) {
    app.use(
      '/api/auth/oidc',
      oidcRouter(deps.oidc.service, deps.auth, {
        ...deps.oidc.router,
        cookieSecure: deps.cookieSecure,
        sessionTtlMs: deps.sessionTtlMs,
      }),
    );
  }
  if (deps.facebook) {
    app.use(
      '/api/auth/facebook',
      oidcRouter(deps.facebook.service, deps.auth, {
        ...deps.facebook.router,
        cookieSecure: deps.cookieSecure,
        sessionTtlMs: deps.sessionTtlMs,
      }),
    );
  }
  app.use(
    '/api/auth',
    authRouter(deps.auth, {
      cookieSecure: deps.cookieSecure,
      sessionTtlMs: deps.sessionTtlMs,
      mail: deps.account.mailEnabled,
      gifs: deps.gifs.enabled,
      oidc: deps.oidc ? { name: deps.oidc.service.name } : null,
      facebook: Boolean(deps.facebook),
      captcha: deps.captcha,
    }),
  );
  app.use('/api/account', accountRouter(deps.account, deps.auth));
  app.use('/api/users/places', requireSession(deps.auth), placesRouter(deps.locations));
  app.use('/api/admin/stats', requireSession(deps.auth), adminStatsRouter(deps.stats));
  app.use('/api/users', requireSession(deps.auth), usersRouter(deps.users, deps.avatars));
  app.use('/api/rooms', requireSession(deps.auth), roomsRouter(deps.rooms, deps.messages));
  app.use('/api/ice-servers', requireSession(deps.auth), iceRouter(deps.ice));
  app.use('/api/push', requireSession(deps.auth), pushRouter(deps.push));
  app.use('/api/files', requireSession(deps.auth), filesRouter(deps.files));
  app.use('/api/gifs', requireSession(deps.auth), gifsRouter(deps.gifs));
  app.use('/api/admin', requireSession(deps.auth), adminRouter(deps.admin));
  app.use('/api', () => {
    throw new AppError('NOT_FOUND', 'No such API endpoint');
  });

  if (deps.staticDir && existsSync(deps.staticDir)) {
    app.use(staticApp(deps.staticDir));
  }
  app.use(errorHandler(deps.logger));
  return app;
}
