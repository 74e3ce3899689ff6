import { Router } from 'express';
import type { AppDeps } from '../deps';
import { databaseReachable } from '../services/health';

/** Liveness and database reachability, for load balancers and monitors. */
export function healthRouter(deps: Pick<AppDeps, 'db'>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (await databaseReachable(deps)) res.json({ status: 'ok', database: 'reachable' });
    else res.status(503).set('Retry-After', '30').json({ status: 'unavailable', database: 'unreachable' });
  });
  return router;
}
