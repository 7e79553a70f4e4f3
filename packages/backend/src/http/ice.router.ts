import type { IceServersResponse } from '@pychat/protocol';
import { Router } from 'express';
import { AppError } from '../errors';
import type { IceService } from '../services/ice.service';
import { currentUser } from './middleware/auth';

/** A DNS name or an IP literal ([v6] as Express gives it): nothing else may end up in an ICE URL. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])$/;

export function iceRouter(ice: IceService): Router {
  const router = Router();

  /** STUN/TURN servers with fresh credentials; the TURN host is the page's host unless PYCHAT_TURN_URLS is set. */
  router.get('/', (req, res) => {
    // req.hostname honours X-Forwarded-Host only from a trusted proxy (PYCHAT_TRUST_PROXY).
    const host = req.hostname;
    if (!host || host.length > 253 || !HOST.test(host)) {
      throw new AppError('VALIDATION_FAILED', 'The Host header is not a hostname or IP address');
    }
    const body: IceServersResponse = ice.forUser(currentUser(res).id, host);
    res.json(body);
  });

  return router;
}
