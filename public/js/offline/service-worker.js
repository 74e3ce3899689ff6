/* Picket's service worker. GET /sw.js serves this file with the precache manifest that
   workbox-build computed at start-up in place of the placeholder below (the app shell:
   CSS, scripts, Leaflet, icons, base map data). Workbox's runtime is served by Picket itself. */
/* global importScripts, workbox */
importScripts('/vendor/workbox/workbox-sw.js', '/public/js/offline/sw-queue.js');
workbox.setConfig({ modulePathPrefix: '/vendor/workbox/', debug: false });

self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.__WB_MANIFEST);

var SAVED = 'picket-saved';

// Public pages a person opened, kept for when the network is cut. Organiser pages, other people's manage links and
// everything else are never kept (they also say Cache-Control: no-store).
var PUBLIC_PAGES = [
  /^\/$/, /^\/map$/, /^\/events\/\d+(-[a-z0-9-]*)?$/, /^\/events\/\d+\/card$/, /^\/events\/\d+\/rsvp\/done$/,
  /^\/campaigns\/[a-z0-9-]+$/, /^\/api\/events\.geojson$/, /^\/events\/\d+\/upload$/,
];

function isPublic(url) {
  return url.origin === self.location.origin && PUBLIC_PAGES.some(function (re) { return re.test(url.pathname); });
}

/** Never keep a response the server marked private, a preview, or an error. */
var onlyPublic = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    if (!response || response.status !== 200 || response.type !== 'basic') return null;
    return /no-store|private/.test(response.headers.get('cache-control') || '') ? null : response;
  },
};

/** A page shown from the cache says so: the time it was saved goes into the page's marker. */
var markSaved = {
  cachedResponseWillBeUsed: async function (args) {
    var cached = args.cachedResponse;
    if (!cached || !/text\/html/.test(cached.headers.get('content-type') || '')) return cached;
    var savedAt = new Date(cached.headers.get('date') || Date.now()).toISOString();
    var html = (await cached.text()).replace('data-saved-at=""', 'data-saved-at="' + savedAt + '"');
    return new Response(html, { status: cached.status, headers: cached.headers });
  },
};

var pages = new workbox.strategies.NetworkFirst({
  cacheName: SAVED, networkTimeoutSeconds: 8, plugins: [onlyPublic, markSaved], matchOptions: { ignoreVary: true },
});
workbox.routing.registerRoute(function (options) { return isPublic(options.url); }, pages);

// The face detector (a few MB, so not in the app shell): kept once it has run, so that a photo
// taken at a picket with no network is still masked on the phone before it waits in the queue.
workbox.routing.registerRoute(function (options) {
  return options.url.origin === self.location.origin && /^\/vendor\/faces\/[\w.-]+$/.test(options.url.pathname);
}, new workbox.strategies.StaleWhileRevalidate({ cacheName: 'picket-faces' }));

// An RSVP or an upload that cannot reach Picket waits on the device (sw-queue.js) and is sent,
// once, when the connection returns.
workbox.routing.registerRoute(function (options) { return picketQueue.match(options.url) !== null; }, picketQueue.handler(SAVED), 'POST');

self.addEventListener('sync', function (event) {
  if (event.tag !== 'picket-queue') return;
  // Rejected while something is still waiting, so that the browser tries again later.
  event.waitUntil(picketQueue.sendAll().then(function (done) { if (!done) throw new Error('still offline'); }));
});

// A person's own pickets: the manage page of an RSVP made from this device (its picket with the
// meeting point as the person was shown it) is kept in a cache of its own, refreshed whenever it
// is opened online, and shown from there offline. Manage pages of RSVPs made elsewhere (someone
// else's link opened here) are never kept; a cancelled or erased RSVP's page is dropped.
var OWN = 'picket-own';
var OWN_PAGE = /^\/rsvp\/[A-Za-z0-9_-]{20,100}$/;

async function keepOwnPage(url) {
  var response = await fetch(url, { credentials: 'same-origin' });
  var cache = await caches.open(OWN);
  if (response.status === 200 && /text\/html/.test(response.headers.get('content-type') || '')) await cache.put(url, response);
  else if (response.status === 404 || response.status === 410) await forgetOwnPage(url);
  return response.status === 200;
}

async function forgetOwnPage(url) {
  await (await caches.open(OWN)).delete(url);
  await picketQueue.releaseOwn(url);
}
picketQueue.onOwnPage(keepOwnPage);

workbox.routing.registerRoute(function (options) {
  return options.request.mode === 'navigate' && options.url.origin === self.location.origin && OWN_PAGE.test(options.url.pathname);
}, async function (options) {
  var cache = await caches.open(OWN);
  var kept = await cache.match(options.request.url);
  if (!kept) return fetch(options.request);
  try {
    var response = await fetch(options.request);
    if (response.status === 200) await cache.put(options.request.url, response.clone());
    else if (response.status === 404 || response.status === 410) await forgetOwnPage(options.request.url);
    return response;
  } catch (error) {
    return markSaved.cachedResponseWillBeUsed({ cachedResponse: kept });
  }
});

// Any other page goes to the network only (organiser pages, manage links, forms): when that fails,
// the catch handler below says the page was not saved.
workbox.routing.registerRoute(
  function (options) { return options.request.mode === 'navigate'; },
  new workbox.strategies.NetworkOnly(),
);

// The page that registered this worker was loaded before the worker ran: a page asks for itself
// (and, for a picket, its card) to be saved as soon as the worker controls it.
self.addEventListener('message', function (event) {
  var data = event.data || {};
  // A page opened, or came back online: send what waits, and tell the page what there is.
  if (data.type === 'queue-send') return event.waitUntil(picketQueue.sendAll());
  if (data.type === 'queue-state') return event.waitUntil(picketQueue.announce(event.source));
  if (data.type === 'queue-clear') return event.waitUntil(picketQueue.clearResults());
  if (data.type === 'keep-own' && typeof data.url === 'string') {
    var own = new URL(data.url, self.location.origin);
    if (own.origin !== self.location.origin || !OWN_PAGE.test(own.pathname)) return;
    return event.waitUntil(picketQueue.isOwn(data.eventId, own.href).then(function (mine) {
      return mine ? keepOwnPage(own.href) : false;
    }).then(function (kept) {
      if (event.source) event.source.postMessage({ type: 'own-kept', kept: Boolean(kept) });
    }).catch(function () {}));
  }
  if (data.type !== 'save' || typeof data.url !== 'string') return;
  var url = new URL(data.url, self.location.origin);
  var urls = isPublic(url) ? [url.href] : [];
  var picket = /^\/events\/(\d+)(-[a-z0-9-]*)?$/.exec(url.pathname);
  if (picket && urls.length) urls.push(self.location.origin + '/events/' + picket[1] + '/card');
  event.waitUntil(Promise.all(urls.map(function (u) {
    return pages.handle({ request: new Request(u, { credentials: 'same-origin' }), event: event }).catch(function () { return null; });
  })).then(function () {
    if (event.source) event.source.postMessage({ type: 'saved', url: url.href });
  }));
});

// A page that was never opened online: say so, instead of the browser's error.
workbox.routing.setCatchHandler(async function (options) {
  if (options.request.mode !== 'navigate') return Response.error();
  return (await workbox.precaching.matchPrecache('/offline')) || Response.error();
});
