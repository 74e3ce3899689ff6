// The front page (upcoming pickets, active campaigns) and the organiser's dashboard (their pickets).
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { AppDeps } from '../app';
import { countryName } from '../lib/places';
import { dashboardEvents } from '../services/events';
import { homePage } from '../services/public-events';
import { requireUser } from './middleware';

// The campaigns feature adds its part of the dashboard as a partial; until then there is none.
const campaignsPartial = path.resolve(__dirname, '../../views/partials/organise-campaigns.ejs');
let hasCampaignsPartial = false;

export function homeRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const data = await homePage(deps);
    res.page('home', { title: req.t('home.title'), countryName, ...data });
  });
  router.get('/organise', requireUser, async (req, res) => {
    hasCampaignsPartial ||= fs.existsSync(campaignsPartial);
    const events = await dashboardEvents(deps, req.user!);
    res.page('organise', { title: req.t('organise.title'), events, hasCampaignsPartial, now: deps.clock.now() });
  });
  return router;
}
