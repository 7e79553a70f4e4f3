import { Id, ProfileUpdateBody, type UsersResponse } from '@pychat/protocol';
import { Router } from 'express';
import { toUserDto, type UserService } from '../services/user.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

export function usersRouter(users: UserService): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const body: UsersResponse = { users: await users.list() };
    res.json(body);
  });

  router.get('/me', (_req, res) => {
    res.json(toUserDto(currentUser(res)));
  });

  router.patch('/me/profile', async (req, res) => {
    res.json(await users.updateProfile(currentUser(res).id, validate(ProfileUpdateBody, req.body)));
  });

  router.get('/:id/profile', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    res.json(await users.profile(currentUser(res).id, id));
  });

  return router;
}
