import { Router } from 'express';
import type { AppDeps } from '../app';

/** Liveness and database reachability, for load balancers and monitors. */
export function healthRouter({ db }: Pick<AppDeps, 'db'>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await db.raw('select 1').timeout(2000, { cancel: true });
      res.json({ status: 'ok', database: 'reachable' });
    } catch {
      res.status(503).set('Retry-After', '30').json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return router;
}
