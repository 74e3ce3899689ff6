// The map of pickets: the page, its embeddable twin for campaign websites, and the GeoJSON feed.
import { Router, Request, RequestHandler, Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { intlLocale } from '../lib/time';
import { bestEncoding } from '../lib/page-cache';
import { BadRequest, NotFound } from '../lib/errors';
import { parse } from '../lib/validation';
import * as map from '../services/map';
import type { Bound, GeoJsonBody, MapFilters } from '../services/map';
import type { PublicCache } from '../services/public-cache';
import { EVENT_KINDS } from '../domain/enums';

const blank = (v: unknown) => (v === '' ? undefined : v);
const text = (message: string) => z.string({ message });

const bound = text('map.errors.date').transform((v, ctx): Bound => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v, { zone: 'utc' }).isValid) return { kind: 'date', value: v };
  // An instant must say its offset: a bare local time would mean a different moment in every zone.
  const instant = DateTime.fromISO(v, { setZone: true });
  if (/T.*(Z|[+-]\d{2}(:?\d{2})?)$/.test(v) && instant.isValid) return { kind: 'instant', value: instant.toJSDate() };
  ctx.addIssue({ code: 'custom', message: 'map.errors.date' });
  return z.NEVER;
});

const bbox = text('map.errors.bbox').transform((v, ctx): [number, number, number, number] => {
  const parts = v.split(',');
  const numbers = parts.map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
  const [minLon, minLat, maxLon, maxLat] = numbers;
  const ok = parts.length === 4 && numbers.every(Number.isFinite)
    && minLon >= -180 && minLon <= 180 && maxLon >= -180 && maxLon <= 180
    && minLat >= -90 && maxLat <= 90 && minLat <= maxLat;
  if (!ok) {
    ctx.addIssue({ code: 'custom', message: 'map.errors.bbox' });
    return z.NEVER;
  }
  return [minLon, minLat, maxLon, maxLat];
});

const filterFields = {
  campaign: z.preprocess(blank, text('map.errors.campaign').regex(/^[a-z0-9][a-z0-9-]{0,99}$/i, 'map.errors.campaign').optional()),
  country: z.preprocess(blank, text('map.errors.country').regex(/^[a-z]{2}$/i, 'map.errors.country').transform((v) => v.toUpperCase()).optional()),
  kind: z.preprocess(blank, z.enum(EVENT_KINDS, { message: 'map.errors.kind' }).optional()),
  when: z.preprocess(blank, z.enum(['today', 'week', 'upcoming', 'past'], { message: 'map.errors.when' }).optional()),
  from: z.preprocess(blank, bound.optional()),
  to: z.preprocess(blank, bound.optional()),
};

const feedQuery = z.object({ ...filterFields, bbox: z.preprocess(blank, bbox.optional()) });

const dayField = z.preprocess(blank, text('map.errors.date').regex(/^\d{4}-\d{2}-\d{2}$/, 'map.errors.date')
  .refine((v) => DateTime.fromISO(v).isValid, 'map.errors.date').optional());
const number = (min: number, max: number) =>
  z.preprocess(blank, z.coerce.number({ message: 'errors.invalid' }).min(min, 'errors.invalid').max(max, 'errors.invalid').optional());

// The page also carries its view (centre and zoom) and the day-of-action controls, so a link
// reproduces what its sender saw.
const pageQuery = z.object({
  ...filterFields,
  day: dayField,
  at: z.preprocess(blank, text('map.errors.date').refine((v) => DateTime.fromISO(v, { setZone: true }).isValid, 'map.errors.date').optional()),
  lat: number(-90, 90),
  lng: number(-540, 540),
  z: number(0, 19),
});

type FeedQuery = z.infer<typeof feedQuery>;

/** Unknown parameters are refused by name: a typo must not silently widen the answer. */
function checkQuery<S extends z.ZodObject>(schema: S, query: Record<string, unknown>): { data?: z.infer<S>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  for (const key of Object.keys(query)) if (!Object.hasOwn(schema.shape, key)) errors[key] = 'map.errors.unknownParam';
  const parsed = parse(schema, query);
  if (!parsed.ok) Object.assign(errors, parsed.errors);
  const from = parsed.ok ? (parsed.data as FeedQuery).from : undefined;
  const to = parsed.ok ? (parsed.data as FeedQuery).to : undefined;
  if (from && to && from.kind === to.kind && (from.kind === 'date' ? from.value > (to.value as string) : from.value > to.value)) {
    errors.to = 'map.errors.range';
  }
  return Object.keys(errors).length ? { errors } : { data: parsed.ok ? parsed.data : undefined, errors };
}

function toFilters(q: Partial<FeedQuery> & { day?: string }, now: Date): MapFilters {
  const day: Bound | undefined = q.day ? { kind: 'date', value: q.day } : undefined;
  return {
    campaign: q.campaign, country: q.country, kind: q.kind, when: q.day ? undefined : q.when,
    from: day ?? q.from, to: day ?? q.to, bbox: q.bbox, now,
  };
}

const publicCache = (req: Request): PublicCache => req.app.locals.publicCache;

function sendFeed(req: Request, res: Response, feed: GeoJsonBody, config: AppDeps['config']) {
  // Node's own calls rather than Express's helpers: this is the map's busiest answer (see page-cache).
  res.setHeader('ETag', feed.etag);
  // Browsers ask again each time (the ETag makes asking cheap); nginx or a CDN may keep it briefly.
  res.setHeader('Cache-Control', `public, max-age=0, s-maxage=${config.PROXY_CACHE_SECONDS}, stale-while-revalidate=${config.PROXY_STALE_SECONDS}`);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', 'application/geo+json; charset=utf-8');
  // Not req.fresh: Node's fetch adds `Cache-Control: no-cache` to conditional requests.
  if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === feed.etag)) {
    res.statusCode = 304;
    return void res.end();
  }
  // Gzipped once per version; the compression middleware leaves an encoded body alone.
  if (bestEncoding(req.headers['accept-encoding'], ['gzip', 'identity']) === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    return void feed.gzip().then((gz) => res.send(gz), (error) => req.next?.(error));
  }
  res.send(feed.json);
}

/**
 * The whole feed (no filter), the map's first request, answered first in the stack when it is
 * built and nothing changed since: from memory, with no logging, cookies or routing on the way.
 */
export function mapFeedEarly(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' || req.url !== '/api/events.geojson') return next();
    const feed = publicCache(req).map.ready(toFilters({}, deps.clock.now()));
    if (!feed) return next();
    sendFeed(req, res, feed, deps.config);
  };
}

export function mapRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/api/events.geojson', async (req, res) => {
    const { data, errors } = checkQuery(feedQuery, req.query as Record<string, unknown>);
    if (!data) throw new BadRequest(errors);
    sendFeed(req, res, await publicCache(req).map.body(toFilters(data, deps.clock.now())), deps.config);
  });

  async function renderMap(req: Request, res: Response, embed: boolean) {
    const { data, errors } = checkQuery(pageQuery, req.query as Record<string, unknown>);
    const query = data ?? {};
    const now = deps.clock.now();
    const filters = toFilters(query, now);
    if (embed && query.campaign && !(await map.embedCampaign(deps, query.campaign))) throw new NotFound();
    const page = await map.mapPage(deps, filters, query.day);
    const locals = {
      title: page.campaignTitle ? req.t('map.titleFor', { campaign: page.campaignTitle }) : req.t('map.title'),
      page, query, errors, embed, now,
      mapData: { ...mapData(req, query, now, embed), daySpan: page.daySpan },
    };
    res.status(data ? 200 : 400);
    if (embed) return res.render('pages/embed-map', locals);
    res.page('map', { ...locals, bodyClass: 'map-body', head: '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">'
      + '<link rel="stylesheet" href="/vendor/markercluster/MarkerCluster.css">'
      + '<link rel="stylesheet" href="/vendor/markercluster/MarkerCluster.Default.css">'
      + '<link rel="stylesheet" href="/public/css/map.css">',
    scripts: ['/vendor/leaflet/leaflet.js', '/vendor/markercluster/leaflet.markercluster.js', '/vendor/topojson/topojson-client.min.js', '/public/js/offline/base-map.js', '/public/js/map.js'] });
  }

  router.get('/map', (req, res) => renderMap(req, res, false));

  router.get('/embed/map', async (req, res) => {
    // This address alone may be shown inside another site's frame (campaign websites).
    const csp = String(res.getHeader('Content-Security-Policy') ?? '');
    res.setHeader('Content-Security-Policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
    res.removeHeader('X-Frame-Options');
    await renderMap(req, res, true);
  });

  return router;
}

/** Everything map.js needs, passed as a JSON block (no inline script). */
function mapData(req: Request, query: Record<string, unknown>, now: Date, embed: boolean) {
  const strings = req.t('map.client', { returnObjects: true }) as Record<string, string>;
  const kinds = req.t('map.kinds', { returnObjects: true }) as Record<string, string>;
  return {
    now: now.toISOString(),
    locale: intlLocale(req.locale), // for Intl in the browser: British English, not American
    embed,
    strings: { ...strings, kinds },
    view: { lat: query.lat ?? null, lng: query.lng ?? null, z: query.z ?? null },
    day: query.day ?? null,
    at: query.at ?? null,
  };
}
