// createApp wires middleware and routers around the dependencies it is given; it reads no
// environment and opens no connections of its own, so tests can build as many as they like.
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pinoHttp from 'pino-http';
import type { Knex } from 'knex';
import type { AppDeps } from './deps';
import type { Localisation } from './lib/i18n';
import type { Logger } from './lib/log';
import { HttpError, NotFound } from './lib/errors';
import { isDatabaseUnavailable } from './db/unavailable';
import * as time from './lib/time';
import { CSRF_PLACEHOLDER, pageCache, PageCacheInfo, PageCacheSlot } from './lib/page-cache';
import { createPublicCache } from './services/public-cache';
import { loadUser, needsFirstRun } from './routes/middleware';
import { requestProtection } from './routes/protection';
import { healthRouter } from './routes/health';
import { offlinePagesRouter, offlineRouter, onionLocation } from './routes/offline';
import { authRouter } from './routes/auth';
import { adminRouter } from './routes/admin';
import { homeRouter } from './routes/home';
import { languageRouter } from './routes/language';
import { mapFeedEarly, mapRouter } from './routes/map';
import { eventsRouter } from './routes/events';
import { rsvpsRouter } from './routes/rsvps';
import { campaignsRouter } from './routes/campaigns';
import { venuesRouter } from './routes/venues';
import { submissionsRouter } from './routes/submissions';
import { facesRouter } from './routes/faces';
import { mediaRouter } from './routes/media';
import { moderationRouter } from './routes/moderation';
import { lettersRouter } from './routes/letters';
import { proposalsRouter } from './routes/proposals';
import { organiseProposalsRouter } from './routes/organise-proposals';
import * as enums from './domain/enums';

// Kept for files written before AppDeps moved: new code imports it from ./deps (an import of app.ts
// from a route or service is a cycle, refused by .dependency-cruiser.cjs).
export type { AppDeps } from './deps';

const root = path.resolve(__dirname, '..');

/** A pg.Pool look-alike over knex's own pool, so sessions share the app's connections. */
function knexPool(db: Knex) {
  return {
    async query(text: string, params: unknown[]) {
      const client = await db.client.acquireConnection();
      try {
        return await client.query(text, params);
      } finally {
        await db.client.releaseConnection(client);
      }
    },
  };
}

/** The path of a request without its query string or the secret part of private links. */
export function redactUrl(url: string): string {
  return url.split('?')[0].replace(/^\/(rsvp|invite|password\/reset|proposals\/verify|host\/link)\/[^/]+/, '/$1/…');
}

function tileOrigin(tileUrl: string | undefined): string[] {
  if (!tileUrl) return [];
  const u = new URL(tileUrl.replace(/\{s\}/g, 'a').replace(/\{[a-z]\}/g, '0'));
  return [tileUrl.includes('{s}') ? `${u.protocol}//*.${u.host.split('.').slice(1).join('.')}` : u.origin];
}

export function createApp(deps: AppDeps): express.Express {
  const { config, db, i18n, logger } = deps;
  const app = express();
  const publicCache = createPublicCache(deps);
  const cache = pageCache({
    freshness: publicCache.freshness, clock: deps.clock, listening: publicCache.listening, ttlMs: config.PAGE_CACHE_SECONDS * 1000,
    cacheControl: `public, max-age=0, s-maxage=${config.PROXY_CACHE_SECONDS}, stale-while-revalidate=${config.PROXY_STALE_SECONDS}`,
    localeOf: (lang, acceptLanguage) => i18n.negotiate(lang, acceptLanguage),
  });
  app.locals.deps = deps;
  app.locals.publicCache = publicCache; // routes reach it as req.app.locals.publicCache
  app.set('views', path.join(root, 'views'));
  app.set('view engine', 'ejs');
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  if (config.NODE_ENV === 'production') app.enable('view cache');

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:', ...tileOrigin(config.TILE_URL)],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
          upgradeInsecureRequests: config.secureCookies ? [] : null,
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.secureCookies,
    }),
  );
  app.use(onionLocation(config));
  // Anonymous visitors' shared pages and the unchanged map feed: from memory, before everything below.
  app.use(cache.early, mapFeedEarly(deps));
  // Fastest zlib level: pages are small, and CPU is what limits a busy day of action.
  app.use(compression({ level: 1 }));
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/public/') === true },
      // Only the path: query strings and addresses may carry tokens.
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(String(req.url)) }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.use(facesRouter());
  app.use('/public', express.static(path.join(root, 'public'), { maxAge: '1h' }));
  app.use('/vendor/leaflet', express.static(path.join(root, 'node_modules/leaflet/dist'), { maxAge: '7d' }));
  app.use(
    '/vendor/markercluster',
    express.static(path.join(root, 'node_modules/leaflet.markercluster/dist'), { maxAge: '7d' }),
  );
  app.use('/', healthRouter(deps));
  app.use('/', offlineRouter(deps)); // manifest, service worker, Workbox, base map data

  app.use(cookieParser(deps.sessionSecret));
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(express.json({ limit: '200kb' }));

  const PgStore = connectPgSimple(session);
  const sessions = session({
    name: 'picket.sid',
    secret: deps.sessionSecret,
    store: new PgStore({ pool: knexPool(db) as never, tableName: 'session', pruneSessionInterval: 60 * 15 }),
    resave: false,
    saveUninitialized: false, // anonymous visitors get no session row and no cookie
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: 1000 * 60 * 60 * 24 * 14 },
  });
  // A visitor without a session cookie who only reads (GET) has no session to load: skipping the
  // middleware spares every public page view a session id and its bookkeeping.
  // The same for anonymous RSVPs and uploads, the day's busiest writes: they never start a session.
  const sessionless = /^\/events\/\d+\/(?:rsvp|submissions)$/;
  app.use((req, res, next) => {
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if ((reading || sessionless.test(req.path)) && !req.headers.cookie?.includes('picket.sid=')) return next();
    sessions(req, res, next);
  });

  // Language: the visitor's choice (cookie), else Accept-Language, else the instance default.
  app.use((req, res, next) => {
    req.locale = i18n.negotiate(req.cookies?.lang, req.get('accept-language'));
    req.t = i18n.t(req.locale);
    res.locals.t = req.t;
    res.locals.locale = req.locale;
    res.locals.languages = i18n.languages;
    res.locals.langAttr = i18n.langAttr;
    res.locals.time = time;
    res.locals.enums = enums;
    res.locals.currentPath = req.path;
    res.locals.user = null;
    res.locals.mayAdminister = false;
    res.locals.flash = [];
    res.locals.currentUrl = req.originalUrl;
    res.locals.config = { baseUrl: config.BASE_URL, tileUrl: config.TILE_URL ?? '', tileAttribution: config.TILE_ATTRIBUTION };
    next();
  });

  // Flash messages travel in a signed cookie, so anonymous visitors need no session.
  app.use((req, res, next) => {
    const pending = req.signedCookies?.flash;
    res.locals.flash = [];
    if (pending) {
      try {
        res.locals.flash = JSON.parse(pending);
      } catch {
        // ignore a damaged cookie
      }
      res.clearCookie('flash');
    }
    const queued: unknown[] = [];
    res.flash = (type, messageKey, params) => {
      queued.push({ type, messageKey, params });
      res.cookie('flash', JSON.stringify(queued), { signed: true, httpOnly: true, sameSite: 'lax', maxAge: 60_000 });
    };
    res.page = (view, locals = {}) => {
      // A page that may be cached is rendered with a placeholder for the visitor's CSRF token.
      const slot = res.statusCode === 200 ? (res.locals.pageCacheSlot as PageCacheSlot | undefined) : undefined;
      const realToken = res.locals.csrfToken as () => string;
      // Anonymous public pages carry no token (''): then the page is the same for everyone.
      if (slot && realToken() !== '') res.locals.csrfToken = () => CSRF_PLACEHOLDER;
      const done = (error: Error | null, html?: string) => {
        if (slot) res.locals.csrfToken = realToken;
        if (error) return req.next?.(error);
        const info = res.locals.pageCache as PageCacheInfo | undefined;
        if (slot && res.statusCode === 200 && cache.storeAndSend(req, res, slot, html!, info)) return;
        res.send(slot ? html!.replaceAll(CSRF_PLACEHOLDER, realToken()) : html);
      };
      res.render(`pages/${view}`, locals, (error: Error | null, body?: string) => {
        if (error) return done(error);
        res.render('layout', { ...locals, body }, done);
      });
    };
    next();
  });

  // CSRF: tokens for sessions and account forms, origin for anonymous forms, 415 for stray multipart.
  const protection = requestProtection(deps);
  app.locals.protection = protection; // routes that take files call protection.afterUpload
  app.use(protection.tokens, protection.check);
  app.use('/', languageRouter(deps)); // before the first-run redirect, so /setup can switch language too

  app.use(loadUser(deps));
  app.use(needsFirstRun(deps));
  app.use(cache.middleware);

  // Organiser and admin pages show private data: no browser or proxy may keep them.
  app.use(['/organise', '/admin', '/host'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use('/', authRouter(deps));
  app.use('/', adminRouter(deps));
  app.use('/', mapRouter(deps)); // before the events API: it owns /api/events.geojson
  app.use('/', homeRouter(deps));
  app.use('/', rsvpsRouter(deps)); // RSVP form, manage links, organiser RSVP tools
  app.use('/', eventsRouter(deps));
  app.use('/', proposalsRouter(deps)); // before campaigns: /campaigns/:slug/host
  app.use('/', organiseProposalsRouter(deps));
  app.use('/', campaignsRouter(deps));
  app.use('/', venuesRouter(deps));
  app.use('/', submissionsRouter(deps)); // uploads
  app.use('/', mediaRouter(deps));
  app.use('/', moderationRouter(deps));
  app.use('/', lettersRouter(deps));
  app.use('/', offlinePagesRouter(deps)); // "not saved for offline", "forget this device", picket cards

  app.use((req, _res, next) => next(new NotFound()));
  app.use(errorHandler(logger, i18n));
  return app;
}

function errorHandler(logger: Logger, i18n: Localisation) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = 500;
    let messageKey = 'errors.server';
    let fields: Record<string, string> | undefined;
    if (error instanceof HttpError) {
      status = error.status;
      messageKey = error.messageKey;
      fields = (error.details?.fields as Record<string, string>) ?? undefined;
    } else if (typeof (error as { status?: number }).status === 'number' && (error as { status: number }).status < 500) {
      // body-parser and friends: too large, malformed JSON, ...
      status = (error as { status: number }).status;
      messageKey = status === 413 ? 'errors.tooLarge' : 'errors.badRequest';
    } else if (isDatabaseUnavailable(error)) {
      status = 503; // the database is restarting or out of reach: "back soon", not a bug
      messageKey = 'errors.unavailable';
      logger.warn({ err: String(error), url: req.path }, 'database unreachable');
    } else {
      logger.error({ err: error, url: req.path }, 'unhandled error');
    }
    if (res.headersSent) return;
    const locale = req.locale ?? i18n.negotiate(req.cookies?.lang, req.get('accept-language'));
    const t = req.t ?? i18n.t(locale);
    res.status(status);
    if (status === 503) res.set({ 'Retry-After': '30', 'Cache-Control': 'no-store' });
    if (req.path.startsWith('/api/') || req.path === '/api' || (req.accepts(['html', 'json']) === 'json' && !req.accepts('html'))) {
      res.json({ error: t(messageKey), status, ...(fields ? { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, t(v)])) } : {}) });
      return;
    }
    if (status === 503) {
      // A page of its own, without the layout: nothing in it may need the database.
      return res.render('pages/back-soon', { t, locale }, (e: Error | null, html?: string) =>
        e ? res.type('html').send(`<!doctype html><title>503</title><h1>503</h1>`) : res.send(html),
      );
    }
    if (!res.locals.t) res.locals.t = t;
    // Rendered without res.page, so a broken template cannot hide the original error.
    const locals = { title: t(messageKey), status, messageKey };
    const plain = (renderError: Error) => {
      logger.error({ err: renderError }, 'the error page failed to render');
      res.type('html').send(`<!doctype html><title>${status}</title><h1>${status}</h1>`);
    };
    res.render('pages/error', locals, (pageError: Error | null, body?: string) => {
      if (pageError) return plain(pageError);
      res.render('layout', { ...locals, body }, (layoutError: Error | null, html?: string) =>
        layoutError ? plain(layoutError) : res.send(html),
      );
    });
  };
}
