import type { NextFunction, Request, Response } from 'express';
import type { UserEntity } from '../../entities';
import { AppError } from '../../errors';
import type { AuthService } from '../../services/auth.service';
import { sessionTokenOf } from '../../auth/session-token';

/** Rejects requests without a valid session with 401 UNAUTHENTICATED; sets res.locals.user and sessionId. */
export function requireSession(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = sessionTokenOf(req);
    const session = token ? await auth.authenticate(token) : null;
    if (!session) {
      throw new AppError('UNAUTHENTICATED', 'Sign in first: no valid session');
    }
    res.locals.user = session.user;
    res.locals.sessionId = session.sessionId;
    next();
  };
}

export function currentUser(res: Response): UserEntity {
  return res.locals.user as UserEntity;
}

export function currentSessionId(res: Response): number {
  return res.locals.sessionId as number;
}
