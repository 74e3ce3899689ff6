// The front page and the organiser's dashboard. (Events fill these in.)
import { Router } from 'express';
import type { AppDeps } from '../app';
import { requireUser } from './middleware';

export function homeRouter(_deps: AppDeps): Router {
  const router = Router();
  router.get('/', (req, res) => {
    res.page('home', { title: req.t('home.title') });
  });
  router.get('/organise', requireUser, (req, res) => {
    res.page('organise', { title: req.t('organise.title') });
  });
  return router;
}
