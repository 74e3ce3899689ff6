// Campaigns: the organiser's forms under /organise/campaigns, the public page and its calendar feed.
import { Router, Request, Response } from 'express';
import { z } from 'zod';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps';
import type { CampaignRow, DemandRow, PrisonerRow } from '../db/tables';
import { BadRequest } from '../lib/errors';
import { pageParam, pagerLinks } from '../lib/paging';
import { countryOptions, isCountryCode } from '../lib/places';
import { FieldErrors, optionalText, parse, requiredText } from '../lib/validation';
import * as service from '../services/campaigns';
import { publicCampaignPage } from '../services/campaign-page';
import { pageTags } from '../services/public-cache';
import { requireUser } from './middleware';
import { CAMPAIGN_STATUSES, DEMAND_KINDS, PRISONER_STATUSES } from '../domain/enums';

const campaignForm = z.object({
  title: requiredText(200),
  slug: z.string().trim().toLowerCase().max(80, 'errors.tooLong')
    .refine((v) => v === '' || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v), 'errors.slugFormat').optional().default(''),
  description: optionalText(20_000),
  target_country: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.string({ message: 'errors.countryCode' }).refine(isCountryCode, 'errors.countryCode')),
  slogans: z.string().optional().default('')
    .transform((v) => v.split(/\r?\n/).map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.length <= 20 && list.every((s) => s.length <= 200), 'errors.tooLong'),
  language: z.string().trim().max(20, 'errors.tooLong')
    .refine((v) => v === '' || /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v), 'errors.invalid').optional().default(''),
  status: z.enum(CAMPAIGN_STATUSES, { message: 'errors.invalid' }).optional().default('active'),
});

const optionalId = (message: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? null : Number(v)),
    z.number({ message }).int(message).positive(message).nullable());

const demandForm = z.object({
  kind: z.enum(DEMAND_KINDS, { message: 'errors.invalid' }),
  text: requiredText(500),
  prisoner_id: optionalId('errors.prisonerUnknown'),
});

const prisonerForm = z.object({
  name: requiredText(200),
  story: optionalText(20_000),
  status: z.enum(PRISONER_STATUSES, { message: 'errors.invalid' }),
  since: z.string().trim().optional().default('')
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid), 'errors.date')
    .transform((v) => v || null),
  demand_ids: z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.coerce.number({ message: 'errors.invalid' }).int('errors.invalid'))),
});

const CSS = '<link rel="stylesheet" href="/public/css/campaigns.css">';

/** Runs a service call; its field errors (a taken slug, an unknown prisoner) come back like parse errors. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; errors: FieldErrors }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof BadRequest) return { ok: false, errors: error.fields };
    throw error;
  }
}

function campaignValues(c: CampaignRow) {
  return { ...c, slogans: c.slogans.join('\n'), language: c.language ?? '' };
}

function prisonerValues(p: PrisonerRow, demands: DemandRow[]) {
  return { ...p, since: p.since ?? '', demand_ids: demands.filter((d) => d.prisoner_id === p.id).map((d) => String(d.id)) };
}

/** The campaign's pickets on the map, and its day of action there (the map's own filters). */
export function campaignsRouter(deps: AppDeps): Router {
  const router = Router();
  const id = (value: unknown) => (/^\d{1,9}$/.test(String(value)) ? Number(value) : NaN);

  // ---- organiser area -------------------------------------------------------------------
  router.use('/organise/campaigns', requireUser);

  router.get('/organise/campaigns', async (req, res) => {
    res.page('campaign-list', { title: req.t('campaigns.organise.title'), campaigns: await service.organiserCampaigns(deps, req.user!), head: CSS });
  });

  const editPage = async (req: Request, res: Response, status: number, campaign: CampaignRow | null, values: object, errors: FieldErrors) => {
    const extra = campaign
      ? await service.campaignWorkspace(deps, req.user!, campaign.id)
      : { demands: [], prisoners: [] };
    res.status(status).page('campaign-edit', {
      title: req.t(campaign ? 'campaigns.edit.title' : 'campaigns.edit.newTitle'),
      campaign, demands: extra.demands, prisoners: extra.prisoners, values, errors,
      countries: countryOptions(req.locale), head: CSS,
    });
  };

  router.get('/organise/campaigns/new', (req, res) =>
    editPage(req, res, 200, null, { target_country: '', status: 'active' }, {}));

  router.post('/organise/campaigns', async (req, res) => {
    const parsed = parse(campaignForm, req.body);
    if (!parsed.ok) return editPage(req, res, 400, null, req.body, parsed.errors);
    const result = await attempt(() => service.createCampaign(deps, req.user!, parsed.data));
    if (!result.ok) return editPage(req, res, 400, null, req.body, result.errors);
    res.flash('success', 'campaigns.edit.created');
    res.redirect(303, `/organise/campaigns/${result.value.id}`);
  });

  router.get('/organise/campaigns/:id', async (req, res) => {
    const campaign = await service.editableCampaign(deps, req.user!, id(req.params.id));
    await editPage(req, res, 200, campaign, campaignValues(campaign), {});
  });

  router.post('/organise/campaigns/:id', async (req, res) => {
    const campaign = await service.editableCampaign(deps, req.user!, id(req.params.id));
    const parsed = parse(campaignForm, req.body);
    if (!parsed.ok) return editPage(req, res, 400, campaign, req.body, parsed.errors);
    const result = await attempt(() => service.updateCampaign(deps, req.user!, campaign.id, parsed.data));
    if (!result.ok) return editPage(req, res, 400, campaign, req.body, result.errors);
    res.flash('success', 'campaigns.edit.saved');
    res.redirect(303, `/organise/campaigns/${campaign.id}`);
  });

  // Demands
  const demandPage = async (req: Request, res: Response, status: number, demand: DemandRow | null, values: object, errors: FieldErrors) => {
    const { campaign, prisoners } = await service.campaignWorkspace(deps, req.user!, id(req.params.id));
    res.status(status).page('campaign-demand', {
      title: req.t(demand ? 'campaigns.demand.editTitle' : 'campaigns.demand.newTitle'),
      campaign, demand, prisoners, values, errors, head: CSS,
    });
  };

  router.get('/organise/campaigns/:id/demands/new', (req, res) => demandPage(req, res, 200, null, { kind: 'release' }, {}));

  router.post('/organise/campaigns/:id/demands', async (req, res) => {
    const campaign = await service.editableCampaign(deps, req.user!, id(req.params.id));
    const parsed = parse(demandForm, req.body);
    if (!parsed.ok) return demandPage(req, res, 400, null, req.body, parsed.errors);
    const result = await attempt(() => service.addDemand(deps, req.user!, campaign.id, parsed.data));
    if (!result.ok) return demandPage(req, res, 400, null, req.body, result.errors);
    res.flash('success', 'campaigns.demand.saved');
    res.redirect(303, `/organise/campaigns/${campaign.id}#demands`);
  });

  router.get('/organise/campaigns/:id/demands/:demandId', async (req, res) => {
    const { demand } = await service.demandOf(deps, req.user!, id(req.params.id), id(req.params.demandId));
    await demandPage(req, res, 200, demand, { ...demand, prisoner_id: demand.prisoner_id ?? '' }, {});
  });

  router.post('/organise/campaigns/:id/demands/:demandId', async (req, res) => {
    const { campaign, demand } = await service.demandOf(deps, req.user!, id(req.params.id), id(req.params.demandId));
    const parsed = parse(demandForm, req.body);
    if (!parsed.ok) return demandPage(req, res, 400, demand, req.body, parsed.errors);
    const result = await attempt(() => service.changeDemand(deps, req.user!, campaign.id, demand.id, parsed.data));
    if (!result.ok) return demandPage(req, res, 400, demand, req.body, result.errors);
    res.flash('success', 'campaigns.demand.saved');
    res.redirect(303, `/organise/campaigns/${campaign.id}#demands`);
  });

  router.post('/organise/campaigns/:id/demands/:demandId/delete', async (req, res) => {
    await service.removeDemand(deps, req.user!, id(req.params.id), id(req.params.demandId));
    res.flash('success', 'campaigns.demand.deleted');
    res.redirect(303, `/organise/campaigns/${id(req.params.id)}#demands`);
  });

  // Prisoner profiles
  const prisonerPage = async (req: Request, res: Response, status: number, prisoner: PrisonerRow | null, values: object, errors: FieldErrors) => {
    const { campaign, demands } = await service.campaignWorkspace(deps, req.user!, id(req.params.id));
    res.status(status).page('campaign-prisoner', {
      title: req.t(prisoner ? 'campaigns.prisoner.editTitle' : 'campaigns.prisoner.newTitle'),
      campaign, prisoner, demands, values, errors, head: CSS,
    });
  };

  router.get('/organise/campaigns/:id/prisoners/new', (req, res) =>
    prisonerPage(req, res, 200, null, { status: 'detained', demand_ids: [] }, {}));

  router.post('/organise/campaigns/:id/prisoners', async (req, res) => {
    const campaign = await service.editableCampaign(deps, req.user!, id(req.params.id));
    const parsed = parse(prisonerForm, req.body);
    if (!parsed.ok) return prisonerPage(req, res, 400, null, req.body, parsed.errors);
    const result = await attempt(() => service.addPrisoner(deps, req.user!, campaign.id, parsed.data));
    if (!result.ok) return prisonerPage(req, res, 400, null, req.body, result.errors);
    res.flash('success', 'campaigns.prisoner.saved');
    res.redirect(303, `/organise/campaigns/${campaign.id}#prisoners`);
  });

  router.get('/organise/campaigns/:id/prisoners/:prisonerId', async (req, res) => {
    const { prisoner, demands } = await service.prisonerOf(deps, req.user!, id(req.params.id), id(req.params.prisonerId));
    await prisonerPage(req, res, 200, prisoner, prisonerValues(prisoner, demands), {});
  });

  router.post('/organise/campaigns/:id/prisoners/:prisonerId', async (req, res) => {
    const { campaign, prisoner } = await service.prisonerOf(deps, req.user!, id(req.params.id), id(req.params.prisonerId));
    const parsed = parse(prisonerForm, req.body);
    if (!parsed.ok) return prisonerPage(req, res, 400, prisoner, req.body, parsed.errors);
    const result = await attempt(() => service.changePrisoner(deps, req.user!, campaign.id, prisoner.id, parsed.data));
    if (!result.ok) return prisonerPage(req, res, 400, prisoner, req.body, result.errors);
    res.flash('success', 'campaigns.prisoner.saved');
    res.redirect(303, `/organise/campaigns/${campaign.id}#prisoners`);
  });

  router.post('/organise/campaigns/:id/prisoners/:prisonerId/delete', async (req, res) => {
    await service.removePrisoner(deps, req.user!, id(req.params.id), id(req.params.prisonerId));
    res.flash('success', 'campaigns.prisoner.deleted');
    res.redirect(303, `/organise/campaigns/${id(req.params.id)}#prisoners`);
  });

  // ---- public ---------------------------------------------------------------------------
  const calendars = service.calendarCache();
  router.get('/campaigns/:slug', async (req, res) => {
    const raw = String(req.params.slug);
    if (raw.endsWith('.ics')) {
      const ics = await service.campaignCalendar(deps, raw.slice(0, -4), deps.config.BASE_URL, calendars);
      res.set('Cache-Control', 'public, max-age=300');
      res.set('ETag', `"${ics.version}"`);
      if (req.fresh) return void res.status(304).end();
      res.type('text/calendar; charset=utf-8').send(ics.text);
      return;
    }
    const page = await publicCampaignPage(deps, raw, req.locale, pageParam(req.query.pickets));
    res.locals.pageCache = { tags: pageTags.campaign(page.campaignId) };
    res.page('campaign', {
      title: page.campaign.title,
      ...page,
      picketsPager: pagerLinks(page.picketsPaging, `/campaigns/${encodeURIComponent(page.campaign.slug)}`, req.query, 'pickets', 'pickets'),
      scripts: ['/public/js/local-time.js'],
      head: CSS + `<link rel="alternate" type="text/calendar" href="/campaigns/${encodeURIComponent(page.campaign.slug)}.ics">`,
    });
  });

  return router;
}
