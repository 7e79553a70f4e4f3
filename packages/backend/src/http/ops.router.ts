import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import type { HealthResponse } from '@pychat/protocol';
import type { Metrics } from '../observability/metrics';

export interface OpsDeps {
  /** The full check behind /api/health (database and bus). */
  health: () => Promise<HealthResponse>;
  /** True once a graceful stop began: not ready any more, still live. */
  stopping: () => boolean;
  metrics: Metrics;
  /** Bearer token for /metrics; null: loopback clients only. */
  metricsToken: string | null;
}

/** The TCP peer is this machine. Deliberately not req.ip: X-Forwarded-For must not open /metrics. */
function fromLoopback(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Endpoints for supervisors and scrapers, mounted before the access log (a health check every few seconds
 * would drown it):
 * - `GET /api/health/live`: 200 while the process serves HTTP at all (container HEALTHCHECK, systemd watchdogs);
 * - `GET /api/health/ready`: 200 when the database and bus are up and no stop has begun, else 503 (load balancers);
 * - `GET /metrics` (that spelling only): Prometheus text, with `Authorization: Bearer $PYCHAT_METRICS_TOKEN` or
 *   from loopback.
 */
export function opsRouter(deps: OpsDeps): Router {
  const router = Router();
  router.get('/api/health/live', (_req, res) => {
    res.set('cache-control', 'no-store').json({ ok: true });
  });
  router.get('/api/health/ready', async (_req, res) => {
    const health = await deps.health();
    const ready = health.ok && !deps.stopping();
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ ...health, ok: ready });
  });
  // Exactly /metrics: Express's default routing would also answer /metrics/ and /METRICS, which a proxy rule
  // blocking /metrics lets through to this machine's loopback check.
  const exact = Router({ caseSensitive: true, strict: true });
  router.use(exact);
  exact.get('/metrics', async (req, res) => {
    const allowed = deps.metricsToken ? tokenMatches(req.headers.authorization, deps.metricsToken) : fromLoopback(req);
    if (!allowed) {
      res.status(deps.metricsToken ? 401 : 403).json({
        code: deps.metricsToken ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        message: deps.metricsToken
          ? 'GET /metrics needs Authorization: Bearer <PYCHAT_METRICS_TOKEN>'
          : 'GET /metrics answers only this machine unless PYCHAT_METRICS_TOKEN is set',
      });
      return;
    }
    res
      .set('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .set('cache-control', 'no-store')
      .send(await deps.metrics.render());
  });
  return router;
}
