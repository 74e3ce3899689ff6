// "Host a picket in your city" (issue 17): the public proposal form of a campaign's open call, the
// e-mailed verification link, and the host's sign-in by link. No account; anonymous forms are
// protected by origin (routes/protection.ts), rate limits per address and per e-mail, and a field
// only bots fill in. Links work by a button on their page (mail scanners open links, never press).
import { Router, Request, Response, NextFunction } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { CampaignRow } from '../db/tables';
import { limitRequests, pgLimit } from '../lib/rate-limits';
import { email, parse, requiredText, FieldErrors } from '../lib/validation';
import * as proposals from '../services/proposals';
import * as hosts from '../services/hosts';
import { venueChoices } from '../services/venues';
import { countryOptions } from '../lib/places';
import { eventSchema, isVenueSearch } from './event-form';

/** The proposal's own fields take the organiser form's rules (one schema, routes/event-form.ts). */
export const proposalSchema = eventSchema.pick({
  title: true, description: true, venue_id: true, address: true, city: true, country: true, latitude: true, longitude: true,
  timezone: true, starts_local: true, ends_local: true, capacity: true, meeting_point_private: true, meeting_point: true,
});
const publicSchema = proposalSchema.extend({ host_name: requiredText(100), host_email: email() });
const signInSchema = z.object({ email: email() });

/** The input as typed, for showing the form again. */
export function proposalValues(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const values = { ...(body ?? {}) };
  delete values._csrf;
  delete values.website;
  values.meeting_point_private = Boolean(values.meeting_point_private);
  return values;
}

const PLACE_SCRIPTS = ['/vendor/leaflet/leaflet.js', '/vendor/topojson/topojson-client.min.js', '/public/js/offline/base-map.js', '/public/js/point-picker.js', '/public/js/place-finder.js'];
const PLACE_HEAD = '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">';

/** What the proposal form needs to render (public form and the organiser's edit). */
export async function proposalFormLocals(deps: AppDeps, req: Request, values: Record<string, unknown>) {
  const chosen = /^\d{1,9}$/.test(String(values.venue_id ?? '')) ? Number(values.venue_id) : null;
  const search = typeof values.venue_q === 'string' ? values.venue_q : '';
  const venueSearch = await venueChoices(deps, search, chosen);
  return { venues: venueSearch.venues, venueSearch, countries: countryOptions(req.locale), head: PLACE_HEAD, scripts: PLACE_SCRIPTS };
}

/** Private links: never cached, indexed or sent on as a referrer. */
function privatePage(res: Response) {
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
}

export function proposalsRouter(deps: AppDeps): Router {
  const router = Router();
  const slugOf = (req: Request) => String(req.params.slug);

  const formPage = async (req: Request, res: Response, status: number, campaign: CampaignRow, values: Record<string, unknown>, errors: FieldErrors) => {
    res.status(status).page('proposal-form', {
      title: req.t('proposals.public.title', { campaign: campaign.title }),
      campaign: { id: campaign.id, title: campaign.title, slug: campaign.slug, target: campaign.target_country },
      values, errors, action: `/campaigns/${encodeURIComponent(campaign.slug)}/host`, publicForm: true,
      ...(await proposalFormLocals(deps, req, values)),
    });
  };

  const refuse = (req: Request, res: Response) => {
    res.status(429).page('message', { title: req.t('proposals.rateLimited.title'), messageKey: 'proposals.rateLimited.body' });
  };
  const perAddress = limitRequests(deps.db, {
    name: 'proposal', points: deps.config.PROPOSAL_RATE_LIMIT, seconds: 3600, secret: deps.sessionSecret,
    key: (req) => ipKeyGenerator(req.ip ?? ''), refuse,
  });
  // "Find places" only searches the directory: it is not a proposal and costs nothing.
  const limited = (req: Request, res: Response, next: NextFunction) => (isVenueSearch(req.body) ? next() : perAddress(req, res, next));
  const perEmail = pgLimit(deps.db, { name: 'proposal-email', points: deps.config.PROPOSAL_EMAIL_RATE_LIMIT, seconds: 24 * 3600, secret: deps.sessionSecret });

  router.get('/campaigns/:slug/host', async (req, res) => {
    const campaign = await proposals.openCall(deps, slugOf(req));
    await formPage(req, res, 200, campaign, { meeting_point_private: false }, {});
  });

  router.post('/campaigns/:slug/host', limited, async (req, res) => {
    const campaign = await proposals.openCall(deps, slugOf(req));
    const values = proposalValues(req.body);
    if (isVenueSearch(req.body)) return formPage(req, res, 200, campaign, values, {});
    // A bot filled in the field people never see: it is told what a person would be, and nothing is kept.
    if (typeof req.body?.website === 'string' && req.body.website.trim() !== '') return res.redirect(303, `/campaigns/${encodeURIComponent(campaign.slug)}/host/sent`);
    const parsed = parse(publicSchema, req.body);
    if (!parsed.ok) return formPage(req, res, 400, campaign, values, parsed.errors);
    if (!(await perEmail.take(parsed.data.host_email))) return refuse(req, res);
    const result = await proposals.propose(deps, campaign.slug, parsed.data, req.locale);
    if (!result.ok) {
      await perEmail.giveBack(parsed.data.host_email);
      return formPage(req, res, 400, campaign, values, result.errors);
    }
    res.redirect(303, `/campaigns/${encodeURIComponent(campaign.slug)}/host/sent`);
  });

  router.get('/campaigns/:slug/host/sent', async (req, res) => {
    const campaign = await proposals.openCall(deps, slugOf(req));
    res.page('message', { title: req.t('proposals.sent.title'), messageKey: 'proposals.sent.body', params: { days: deps.config.PROPOSAL_RETENTION_DAYS, campaign: campaign.title } });
  });

  // ---- the verification link ------------------------------------------------------------
  router.get('/proposals/verify/:token', async (req, res) => {
    privatePage(res);
    const token = String(req.params.token);
    if (!(await proposals.verifyLinkWorks(deps, token))) return res.status(410).page('message', { title: req.t('proposals.verify.goneTitle'), messageKey: 'proposals.verify.gone' });
    res.page('link-confirm', { title: req.t('proposals.verify.title'), lead: req.t('proposals.verify.lead'), button: req.t('proposals.verify.button'), action: `/proposals/verify/${token}` });
  });

  router.post('/proposals/verify/:token', async (req, res) => {
    privatePage(res);
    const result = await proposals.verify(deps, String(req.params.token));
    if (result.state === 'gone') return res.status(410).page('message', { title: req.t('proposals.verify.goneTitle'), messageKey: 'proposals.verify.gone' });
    const key = result.state === 'published' ? 'proposals.verify.published' : 'proposals.verify.queued';
    res.page('message', { title: req.t('proposals.verify.doneTitle'), messageKey: key, params: { campaign: result.campaign.title } });
  });

  // ---- hosts: sign-in by link -------------------------------------------------------------
  router.get('/campaigns/:slug/host/sign-in', async (req, res) => {
    const campaign = await proposals.campaignOfCall(deps, slugOf(req));
    res.page('host-sign-in', { title: req.t('hosts.signIn.title'), campaign: { title: campaign.title, slug: campaign.slug }, values: {}, errors: {} });
  });

  router.post('/campaigns/:slug/host/sign-in', perAddress, async (req, res) => {
    const campaign = await proposals.campaignOfCall(deps, slugOf(req));
    const parsed = parse(signInSchema, req.body);
    if (!parsed.ok) {
      return res.status(400).page('host-sign-in', { title: req.t('hosts.signIn.title'), campaign: { title: campaign.title, slug: campaign.slug }, values: { email: req.body?.email ?? '' }, errors: parsed.errors });
    }
    if (await perEmail.take(`sign-in:${parsed.data.email}`)) await hosts.requestSignIn(deps, campaign, parsed.data.email, req.locale);
    res.page('message', { title: req.t('hosts.signIn.sentTitle'), messageKey: 'hosts.signIn.sent', params: { minutes: deps.config.HOST_LINK_TTL_MINUTES } });
  });

  const linkGone = (req: Request, res: Response, state: hosts.LinkState, signInPath: string | null) =>
    res.status(410).page('link-gone', { title: req.t('hosts.link.goneTitle'), messageKey: `hosts.link.${state}`, signInPath });

  router.get('/host/link/:token', async (req, res) => {
    privatePage(res);
    const token = String(req.params.token);
    const { state, signInPath } = await hosts.checkLink(deps, token);
    if (state !== 'valid') return linkGone(req, res, state, signInPath);
    res.page('link-confirm', { title: req.t('hosts.link.title'), lead: req.t('hosts.link.lead'), button: req.t('hosts.link.button'), action: `/host/link/${token}` });
  });

  router.post('/host/link/:token', async (req, res) => {
    privatePage(res);
    const result = await hosts.useLink(deps, String(req.params.token));
    if (!result.ok) return linkGone(req, res, result.state, result.signInPath);
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.hostId = result.hostId; // a fresh session id: no fixation
      req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve()));
    }));
    res.redirect(303, '/host');
  });

  router.get('/host', async (req, res) => {
    privatePage(res);
    if (!req.hostActor) return res.redirect(303, '/');
    res.page('host-home', { title: req.t('hosts.home.title'), ...(await hosts.hostHome(deps, req.hostActor, req.locale)) });
  });

  router.post('/host/sign-out', (req, res) => {
    req.session.destroy(() => res.redirect(303, '/'));
  });

  return router;
}
