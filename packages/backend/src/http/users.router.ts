import { Id, ProfileUpdateBody, type UsersResponse } from '@pychat/protocol';
import { Router } from 'express';
import { z } from 'zod';
import type { AvatarService } from '../services/avatar.service';
import { toUserDto, type UserService } from '../services/user.service';
import { FILE_CSP, IMMUTABLE, sendFile } from './files.router';
import { currentUser } from './middleware/auth';
import { drainRefused, receiveFile } from './multipart';
import { validate } from './validate';

const AvatarKey = z.string().regex(/^[0-9a-f]{32}$/);
const AvatarVariant = z.enum(['original']).optional();

export function usersRouter(users: UserService, avatars: AvatarService): Router {
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

  /** POST /api/users/me/avatar: multipart, one image part named `file` (cropped square by the web app); UserDto. */
  router.post('/me/avatar', async (req, res) => {
    const userId = currentUser(res).id;
    try {
      res.json(await receiveFile(req, (stream, _name, type) => avatars.set(userId, { stream, claimedType: type })));
    } catch (error) {
      drainRefused(req);
      throw error;
    }
  });

  router.delete('/me/avatar', async (_req, res) => {
    res.json(await avatars.clear(currentUser(res).id));
  });

  router.get('/:id/profile', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    res.json(await users.profile(currentUser(res).id, id));
  });

  /**
   * GET /api/users/:id/avatar/:key (the 128 px WebP thumbnail, UserDto.thumbnail) and …/:key/original. The key
   * changes with every new avatar, so both are cached for a year.
   */
  router.get('/:id/avatar/:key{/:variant}', async (req, res) => {
    const id = validate(Id, Number(req.params.id));
    const key = validate(AvatarKey, req.params.key);
    const variant = validate(AvatarVariant, req.params.variant) ?? 'thumb';
    const { path, mime } = await avatars.open(id, key, variant);
    res.setHeader('Content-Security-Policy', FILE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('Content-Type', mime);
    await sendFile(res, path);
  });

  return router;
}
