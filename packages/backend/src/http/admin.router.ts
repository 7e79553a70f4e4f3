import {
  AdminUserPatch,
  AdminUsersQuery,
  CreateInviteBody,
  Id,
  type AdminUserDto,
  type CreateInviteResponse,
} from '@pychat/protocol';
import { Router } from 'express';
import type { AdminService } from '../services/admin.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

/** /api/admin (behind requireSession): every route first passes AdminService.requireAdmin (403 NOT_SITE_ADMIN). */
export function adminRouter(admin: AdminService): Router {
  const router = Router();
  router.use((_req, res, next) => {
    admin.requireAdmin(currentUser(res));
    next();
  });

  router.get('/users', async (req, res) => {
    res.json(await admin.listUsers(validate(AdminUsersQuery, req.query)));
  });

  router.patch('/users/:id', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    const body: AdminUserDto = await admin.updateUser(currentUser(res), id, validate(AdminUserPatch, req.body));
    res.json(body);
  });

  router.get('/invites', async (_req, res) => {
    res.json(await admin.listInvites());
  });

  router.post('/invites', async (req, res) => {
    const body: CreateInviteResponse = await admin.createInvite(currentUser(res), validate(CreateInviteBody, req.body));
    res.status(201).json(body);
  });

  router.delete('/invites/:id', async (req, res) => {
    await admin.revokeInvite(currentUser(res), validate(Id, Number(req.params.id)));
    res.status(204).end();
  });

  return router;
}
