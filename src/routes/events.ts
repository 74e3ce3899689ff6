// Public pickets: the event page (and its .ics), past pickets, and the JSON API.
import { Request, Response, Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { countryName, isCountryCode } from '../lib/places';
import { parseOrThrow } from '../lib/validation';
import { publicEventPage } from '../services/event-page';
import { pageTags, PublicCache } from '../services/public-cache';
import { countsForScript, FormState } from '../services/public-counts';
import type { EventRow } from '../db/tables';
import type { PageCacheSlot } from '../lib/page-cache';
import * as publicEvents from '../services/public-events';
import { organiseEventsRouter } from './organise-events';

/** "12", "12-some-slug", "12-some-slug.ics" */
const EVENT_REF = /^(\d{1,9})(?:-([a-z0-9-]*))?(\.ics)?$/;

/** A date ("2026-12-16", the start of that day in UTC) or a full ISO instant with offset. */
const isoDate = (message: string) =>
  z.string().trim().transform((v, ctx) => {
    const dt = /^\d{4}-\d{2}-\d{2}$/.test(v) ? DateTime.fromISO(v, { zone: 'UTC' }) : DateTime.fromISO(v, { setZone: true });
    if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return { instant: dt.toJSDate(), dateOnly: v.length === 10 };
  });

const apiQuery = z.object({
  from: isoDate('events.errors.badFrom').optional(),
  to: isoDate('events.errors.badTo').optional(),
  campaign: z.string().trim().regex(/^[a-z0-9-]{1,100}$/, 'events.errors.badCampaign').optional(),
  country: z.string().trim().toUpperCase().refine(isCountryCode, 'events.errors.badCountry').optional(),
  page: z.coerce.number({ message: 'events.errors.badPage' }).int('events.errors.badPage').min(1, 'events.errors.badPage').max(100000, 'events.errors.badPage').default(1),
  per_page: z.coerce.number({ message: 'events.errors.badPerPage' }).int('events.errors.badPerPage').min(1, 'events.errors.badPerPage').max(100, 'events.errors.badPerPage').default(20),
});

const publicCache = (req: Request): PublicCache => req.app.locals.publicCache;

/** Names what makes an event page stale; an RSVP does not (its counts refresh on their own). */
function cacheEventPage(req: Request, res: Response, event: EventRow, extras: Record<string, unknown>) {
  const cache = publicCache(req);
  const slot = res.locals.pageCacheSlot as PageCacheSlot | undefined;
  const rsvp = extras.rsvp as { state: FormState; counts: { going: number; waitlisted: number; capacity: number | null; spotsLeft: number | null } };
  if (slot) cache.counts.remember(event.id, { ...rsvp.counts, state: rsvp.state }, slot.since);
  res.locals.pageCache = { tags: pageTags.event(event), onHit: () => cache.counts.touch(event.id) };
}

const single = (query: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));

/** Public event routes plus the organiser's (one router, so app.ts registers one line). */
export function eventsRouter(deps: AppDeps): Router {
  const router = Router();
  router.use(organiseEventsRouter(deps));
  router.use(['/events', '/api/events'], (_req, res, next) => {
    res.locals.countryName = countryName;
    next();
  });

  router.get('/events/past', async (req, res) => {
    const page = /^\d{1,6}$/.test(String(req.query.page ?? '')) ? Math.max(1, Number(req.query.page)) : 1;
    const data = await publicEvents.pastPage(deps, page);
    res.page('events-past', { title: req.t('events.past.title'), ...data });
  });
  router.get('/past', (_req, res) => res.redirect(301, '/events/past'));

  // The numbers going, fresh within RSVP_COUNT_SECONDS, for the event page's script.
  router.get('/events/:id/counts.json', async (req, res) => {
    const id = /^\d{1,9}$/.test(String(req.params.id)) ? Number(req.params.id) : NaN;
    const counts = Number.isSafeInteger(id) ? await publicCache(req).counts.get(id) : undefined;
    if (!counts) throw new NotFound();
    const lang = deps.i18n.languages.find((l) => l === req.query.lang) ?? req.locale;
    res.set('Cache-Control', `public, max-age=${deps.config.RSVP_COUNT_SECONDS}`);
    res.json(countsForScript(counts, deps.i18n.t(lang)));
  });

  router.get('/events/:ref', async (req, res) => {
    const match = EVENT_REF.exec(String(req.params.ref));
    if (!match) throw new NotFound();
    const id = Number(match[1]);
    if (match[3]) {
      const { event, ics } = await publicEvents.eventIcs(deps, id);
      res.type('text/calendar; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="${event.slug || 'event'}-${event.id}.ics"`);
      return res.send(ics);
    }
    const { row, ...page } = await publicEventPage(deps, id, req.user ?? null, req);
    if (`/events/${req.params.ref}` !== page.canonical) return res.redirect(301, page.canonical);
    if (page.preview) res.set('Cache-Control', 'private, no-store');
    else cacheEventPage(req, res, row, page);
    res.page('event', {
      title: page.event.title,
      ...page,
      head: '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">',
      scripts: ['/vendor/leaflet/leaflet.js', '/vendor/topojson/topojson-client.min.js', '/public/js/offline/base-map.js', '/public/js/event-map.js', '/public/js/local-time.js', '/public/js/rsvp-counts.js'],
    });
  });

  router.get('/api/events', async (req, res) => {
    const query = parseOrThrow(apiQuery, single(req.query as Record<string, unknown>));
    const to = query.to ? (query.to.dateOnly ? new Date(query.to.instant.getTime() + 24 * 3600_000) : query.to.instant) : undefined;
    const { events, total } = await publicEvents.apiEvents(deps, {
      from: query.from?.instant, to, campaignSlug: query.campaign, country: query.country, page: query.page, perPage: query.per_page,
    });
    const more = query.page * query.per_page < total;
    const next = new URL(`${deps.config.BASE_URL}/api/events`);
    for (const [key, value] of Object.entries(single(req.query as Record<string, unknown>))) {
      if (typeof value === 'string' && key !== 'page') next.searchParams.set(key, value);
    }
    next.searchParams.set('page', String(query.page + 1));
    res.set('Cache-Control', 'public, max-age=60');
    res.json({ events, page: query.page, per_page: query.per_page, total, next: more ? next.toString() : null });
  });

  return router;
}
