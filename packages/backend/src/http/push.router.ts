import { PushSubscribeBody, PushUnsubscribeBody, type PushKeyResponse } from '@pychat/protocol';
import { Router } from 'express';
import type { PushService } from '../services/push.service';
import { currentSessionId, currentUser } from './middleware/auth';
import { validate } from './validate';

export function pushRouter(push: PushService): Router {
  const router = Router();

  /** The VAPID public key for pushManager.subscribe (null: push is off on this server). */
  router.get('/key', (_req, res) => {
    const body: PushKeyResponse = { publicKey: push.publicKey() };
    res.json(body);
  });

  /** Save this browser's subscription, for the session making the request. */
  router.post('/subscriptions', async (req, res) => {
    const body = validate(PushSubscribeBody, req.body);
    await push.subscribe(currentUser(res).id, currentSessionId(res), body);
    res.status(204).end();
  });

  router.delete('/subscriptions', async (req, res) => {
    const body = validate(PushUnsubscribeBody, req.body);
    await push.unsubscribe(currentUser(res).id, body.endpoint);
    res.status(204).end();
  });

  return router;
}
