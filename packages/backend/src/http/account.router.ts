import {
  ChangeEmailBody,
  ChangePasswordBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  VerifyEmailBody,
  type ChangePasswordResponse,
  type VerifyEmailResponse,
} from '@pychat/protocol';
import { Router } from 'express';
import type { AccountService } from '../services/account.service';
import type { AuthService } from '../services/auth.service';
import { clientInfo } from './auth.router';
import { currentSessionId, currentUser, requireSession } from './middleware/auth';
import { validate } from './validate';

/** /api/account: the email flows (docs/protocol.md §12). Links from mails work without a session. */
export function accountRouter(account: AccountService, auth: AuthService): Router {
  const router = Router();

  router.post('/password-reset', async (req, res) => {
    const { login, captcha } = validate(PasswordResetRequestBody, req.body);
    await account.requestPasswordReset(login, clientInfo(req), captcha);
    res.status(202).json({});
  });

  router.post('/password-reset/confirm', async (req, res) => {
    const { token, password } = validate(PasswordResetConfirmBody, req.body);
    await account.confirmPasswordReset(token, password, clientInfo(req));
    res.status(204).end();
  });

  router.post('/verify-email', async (req, res) => {
    const body: VerifyEmailResponse = await account.verifyEmail(validate(VerifyEmailBody, req.body).token);
    res.json(body);
  });

  router.post('/verify-email/resend', requireSession(auth), async (_req, res) => {
    await account.sendVerification(currentUser(res).id);
    res.status(202).json({});
  });

  router.post('/password', requireSession(auth), async (req, res) => {
    const { currentPassword, newPassword } = validate(ChangePasswordBody, req.body);
    const ended = await account.changePassword(
      currentUser(res).id,
      currentSessionId(res),
      currentPassword,
      newPassword,
      clientInfo(req),
    );
    const body: ChangePasswordResponse = { ended };
    res.json(body);
  });

  router.post('/email', requireSession(auth), async (req, res) => {
    const { password, email } = validate(ChangeEmailBody, req.body);
    res.json(await account.changeEmail(currentUser(res).id, password, email, clientInfo(req)));
  });

  return router;
}
