import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import { staticApp } from './static';
import type { HealthResponse } from '@pychat/protocol';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AuthService } from '../services/auth.service';
import type { MessageService } from '../services/message.service';
import type { RoomService } from '../services/room.service';
import type { UserService } from '../services/user.service';
import { authRouter } from './auth.router';
import type { TrustFn } from './client-ip';
import { accessLog } from './middleware/access-log';
import { requireSession } from './middleware/auth';
import { errorHandler } from './middleware/errors';
import { roomsRouter } from './rooms.router';
import { usersRouter } from './users.router';

export interface HttpDeps {
  auth: AuthService;
  users: UserService;
  rooms: RoomService;
  messages: MessageService;
  health: () => Promise<HealthResponse>;
  logger: Logger;
  staticDir: string | null;
  trustProxy: TrustFn;
  cookieSecure: boolean;
  sessionTtlMs: number;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The same function derives the address of WebSocket upgrades (http/client-ip.ts).
  app.set('trust proxy', deps.trustProxy);
  app.use(accessLog(deps.logger));
  app.use(express.json({ limit: '64kb' }));

  app.get('/api/health', async (_req, res) => {
    const health = await deps.health();
    res.status(health.ok ? 200 : 503).json(health);
  });
  app.use('/api/auth', authRouter(deps.auth, { cookieSecure: deps.cookieSecure, sessionTtlMs: deps.sessionTtlMs }));
  app.use('/api/users', requireSession(deps.auth), usersRouter(deps.users));
  app.use('/api/rooms', requireSession(deps.auth), roomsRouter(deps.rooms, deps.messages));
  app.use('/api', () => {
    throw new AppError('NOT_FOUND', 'No such API endpoint');
  });

  if (deps.staticDir && existsSync(deps.staticDir)) {
    app.use(staticApp(deps.staticDir));
  }
  app.use(errorHandler(deps.logger));
  return app;
}
