import { GifId, GifSearchQuery, type GifListResponse, type UploadResponse } from '@pychat/protocol';
import { Router } from 'express';
import type { GifService } from '../services/gif.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

/** /api/gifs: the GIF picker, answered by the server from the provider (services/gif.service.ts). */
export function gifsRouter(gifs: GifService): Router {
  const router = Router();

  router.get('/trending', async (_req, res) => {
    const body: GifListResponse = { gifs: await gifs.trending(currentUser(res).id) };
    res.json(body);
  });

  router.get('/search', async (req, res) => {
    const { q } = validate(GifSearchQuery, { q: req.query.q });
    const body: GifListResponse = { gifs: await gifs.search(currentUser(res).id, q) };
    res.json(body);
  });

  router.get('/:id/preview', async (req, res) => {
    const preview = await gifs.preview(validate(GifId, req.params.id));
    // The bytes behind a provider's id do not change; the browser may keep them (private: behind a session).
    res.set({ 'Content-Type': preview.type, 'Cache-Control': 'private, max-age=86400' }).send(preview.body);
  });

  router.post('/:id/attach', async (req, res) => {
    const body: UploadResponse = { file: await gifs.attach(currentUser(res).id, validate(GifId, req.params.id)) };
    res.status(201).json(body);
  });

  return router;
}
