// The front page (upcoming pickets, active campaigns) and the organiser's dashboard (their pickets).
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { pageParam, pagerLinks } from '../lib/paging';
import { countryName } from '../lib/places';
import { organiserCampaigns } from '../services/campaigns';
import { dashboardEvents } from '../services/events';
import { homePage } from '../services/public-events';
import { pageTags } from '../services/public-cache';
import { requireUser } from './middleware';
import { waitingProposals } from '../services/proposals';

export function homeRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const data = await homePage(deps);
    res.locals.pageCache = { tags: pageTags.home() };
    res.page('home', { title: req.t('home.title'), countryName, ...data });
  });
  router.get('/organise', requireUser, async (req, res) => {
    const [{ events, paging }, campaigns, waiting] = await Promise.all([
      dashboardEvents(deps, req.user!, pageParam(req.query.page)), organiserCampaigns(deps, req.user!), waitingProposals(deps, req.user!),
    ]);
    res.page('organise', {
      title: req.t('organise.title'), events, organiserCampaigns: campaigns, proposalsWaiting: waiting.length,
      eventsPager: pagerLinks(paging, '/organise', req.query, 'page', 'my-events-heading'),
    });
  });
  return router;
}
