// The installable app: its manifest, its service worker (Workbox, with a precache manifest that
// workbox-build computes from the files on disk, once per process), Workbox's runtime, idb and the
// base map data, all served by Picket itself from node_modules (no CDN, no third-party request).
import fs from 'node:fs';
import path from 'node:path';
import express, { RequestHandler, Router } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { capitalCities, countryName } from '../lib/places';
import { picketCard } from '../services/picket-card';

const root = path.resolve(__dirname, '../..');
const modules = path.join(root, 'node_modules');

/** The app shell: what a phone needs to show any saved page with no network at all. */
const SHELL = {
  globDirectory: root,
  globPatterns: [
    'public/css/*.css',
    'public/js/*.js',
    'public/js/offline/*.js',
    'public/icons/*.png',
    'node_modules/leaflet/dist/leaflet.{js,css}',
    'node_modules/leaflet/dist/images/*.png',
    'node_modules/leaflet.markercluster/dist/*.{js,css}',
    'node_modules/world-atlas/countries-110m.json',
    'node_modules/topojson-client/dist/topojson-client.min.js',
    'node_modules/idb/build/umd.js',
  ],
  globIgnores: ['public/js/offline/service-worker.js', '**/*.map', '**/*-src.js'],
  modifyURLPrefix: {
    'public/': '/public/',
    'node_modules/leaflet/dist/': '/vendor/leaflet/',
    'node_modules/leaflet.markercluster/dist/': '/vendor/markercluster/',
    'node_modules/world-atlas/': '/vendor/world/',
    'node_modules/topojson-client/dist/': '/vendor/topojson/',
    'node_modules/idb/build/': '/vendor/idb/',
  },
};

/** Changes whenever a new version of Picket starts, so the pages without a file behind them refresh. */
const startedAt = String(Date.now());

let worker: Promise<string> | undefined;

/** The service worker's source with its precache manifest, built on the first request. */
export function serviceWorkerSource(): Promise<string> {
  worker ??= (async () => {
    // Only the part of workbox-build that lists files: the whole package loads a bundler (seconds).
    const { getManifest } = await import('workbox-build/build/get-manifest.js');
    const { manifestEntries, warnings } = await getManifest({
      ...SHELL,
      additionalManifestEntries: [
        { url: '/offline', revision: startedAt },
        { url: '/vendor/world/capitals.json', revision: startedAt },
      ],
    });
    if (warnings.length) throw new Error(`workbox-build: ${warnings.join('; ')}`);
    const template = fs.readFileSync(path.join(root, 'public/js/offline/service-worker.js'), 'utf8');
    return template.replace('self.__WB_MANIFEST', JSON.stringify(manifestEntries));
  })();
  worker.catch(() => {
    worker = undefined;
  });
  return worker;
}

/** workbox-sw loads its modules by name ("workbox-strategies.prod.js") from the prefix it is given. */
const WORKBOX_MODULE = /^workbox-([a-z-]+)\.(prod|dev)\.js(\.map)?$/;

/** With ONION_URL set, every page offers Tor users the onion address (Tor Browser's Onion-Location). */
export function onionLocation(config: AppDeps['config']): RequestHandler {
  if (!config.ONION_URL) return (_req, _res, next) => next();
  const onion = config.ONION_URL.replace(/\/+$/, '');
  return (req, res, next) => {
    if (req.method === 'GET') res.set('Onion-Location', onion + req.originalUrl);
    next();
  };
}

export function offlineRouter(deps: AppDeps): Router {
  const router = Router();
  const { config } = deps;
  // A real server builds the precache manifest at start; tests build it when a browser asks.
  if (config.NODE_ENV !== 'test') serviceWorkerSource().catch((error) => deps.logger.error({ err: error }, 'service worker not built'));

  router.get('/manifest.webmanifest', (req, res) => {
    res.type('application/manifest+json');
    res.set('Cache-Control', 'public, max-age=3600');
    res.send(JSON.stringify({
      name: 'Picket',
      short_name: 'Picket',
      description: 'Pickets, vigils and demonstrations for solidarity campaigns',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: '#b3261e',
      background_color: '#ffffff',
      icons: [
        { src: '/public/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: '/public/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: '/public/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    }));
  });

  router.get('/sw.js', async (_req, res) => {
    const source = await serviceWorkerSource();
    res.type('text/javascript');
    // The browser checks for a new worker on every visit; a stale one would keep an old app shell.
    res.set({ 'Cache-Control': 'no-cache', 'Service-Worker-Allowed': '/' });
    res.send(source);
  });

  router.get('/vendor/workbox/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (file === 'workbox-sw.js') return res.sendFile(path.join(modules, 'workbox-sw/build/workbox-sw.js'), { maxAge: '7d' });
    const match = WORKBOX_MODULE.exec(file);
    if (!match) return next();
    res.sendFile(path.join(modules, `workbox-${match[1]}/build/${file}`), { maxAge: '7d' }, (error) => {
      if (error && !res.headersSent) next();
    });
  });

  router.get('/vendor/world/capitals.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400');
    res.json(capitalCities().map((c) => [c.name, c.lat, c.lng]));
  });
  router.use('/vendor/world', express.static(path.join(modules, 'world-atlas'), { maxAge: '7d', index: false }));
  router.use('/vendor/topojson', express.static(path.join(modules, 'topojson-client/dist'), { maxAge: '7d', index: false }));
  router.use('/vendor/idb', express.static(path.join(modules, 'idb/build'), { maxAge: '7d', index: false }));
  return router;
}

/** The pages of the offline app: "not saved" (precached, shown by the service worker) and "forget". */
export function offlinePagesRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/offline', (req, res) => {
    res.page('message', { title: req.t('offline.notSaved.title'), messageKey: 'offline.notSaved.body' });
  });

  router.get('/events/:id/card', async (req, res) => {
    const match = /^(\d{1,9})(-[a-z0-9-]*)?$/.exec(String(req.params.id));
    if (!match) throw new NotFound();
    const card = await picketCard(deps, Number(match[1]), req.user ?? null, req.locale);
    if (card.preview) res.set('Cache-Control', 'private, no-store');
    res.page('picket-card', { title: req.t('offline.card.title', { title: card.event.title }), ...card, countryName, scripts: ['/public/js/print-letter.js'] });
  });

  router.post('/offline/forget', (req, res) => {
    // Browsers that know Clear-Site-Data remove caches, cookies, storage and the service worker;
    // the cookies are also expired by name for the others (offline/app.js clears the rest first).
    res.set({ 'Clear-Site-Data': '"cache", "cookies", "storage"', 'Cache-Control': 'no-store' });
    for (const name of Object.keys(req.cookies ?? {})) res.clearCookie(name);
    // bodyClass tells offline/app.js not to register the service worker again on this page.
    const done = () => res.page('message', { title: req.t('offline.forget.doneTitle'), messageKey: 'offline.forget.doneBody', bodyClass: 'device-forgotten' });
    if (req.session?.userId) req.session.destroy(() => done());
    else done();
  });
  return router;
}
