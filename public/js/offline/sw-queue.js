/* The queue of actions made while offline, run by the service worker (imported by sw.js).
   An RSVP or an upload that cannot reach Picket is kept on the device, in IndexedDB through idb
   (served by Picket from node_modules), with the idempotency key the page gave it; it is sent
   when the connection returns: by Background Sync where the browser has it, and whenever a page
   says it is online or opens (offline/queue.js). The server honours the key, so a request sent
   twice (an answer lost on the way back) is one RSVP, one e-mail, one upload. An item holds only
   what the person typed or chose, and is deleted as soon as Picket has answered; what is kept then
   is the outcome (sent or why not), until the person clears it. */
/* global idb */
importScripts('/vendor/idb/umd.js');

var picketQueue = (function () {
  'use strict';
  var DB = 'picket-queue';
  var QUEUED_PATHS = [/^\/events\/(\d+)\/rsvp$/, /^\/events\/(\d+)\/submissions$/];
  // Fields of the page that are for the device, never sent on.
  var LOCAL_FIELDS = ['queue_label'];

  function open() {
    return idb.openDB(DB, 1, {
      upgrade: function (db) {
        db.createObjectStore('actions', { keyPath: 'key' });
        db.createObjectStore('results', { keyPath: 'key' });
        // Pickets this device RSVPed to (their ids only): their manage pages may be kept offline.
        db.createObjectStore('own', { keyPath: 'eventId' });
      },
    });
  }

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /** Which queued address a request is for, with its picket; null for anything else. */
  function match(url) {
    for (var i = 0; i < QUEUED_PATHS.length; i++) {
      var m = QUEUED_PATHS[i].exec(url.pathname);
      if (m && url.origin === self.location.origin) return { eventId: Number(m[1]), rsvp: i === 0 };
    }
    return null;
  }

  /** The item kept for a request that could not be sent: its fields, its file, its key. */
  async function itemFrom(request, found) {
    var form = await request.formData();
    var fields = [];
    var file = null;
    var label = '';
    form.forEach(function (value, name) {
      if (name === 'queue_label') { label = String(value); return; }
      if (LOCAL_FIELDS.indexOf(name) >= 0 || name === 'idempotency_key') return;
      if (typeof value === 'string') fields.push([name, value]);
      else if (value.size > 0) file = { name: name, blob: value, filename: value.name || 'file' };
    });
    var key = request.headers.get('Idempotency-Key') || form.get('idempotency_key') || newKey();
    var kind = found.rsvp ? 'rsvp' : (form.get('kind') === 'letter' ? 'letter' : 'photo');
    return {
      key: String(key), url: request.url, eventId: found.eventId, kind: kind, label: label,
      fields: fields, file: file, queuedAt: new Date().toISOString(),
    };
  }

  async function add(item) {
    var db = await open();
    await db.put('actions', item);
    db.close();
    if (self.registration.sync) self.registration.sync.register('picket-queue').catch(function () {});
    await announce();
  }

  var sending = {}; // key -> true while its request is on its way
  var position = null; // { n, total } while the queue is being sent

  /** What pages may show: the kind, the picket's title, the state; never what was typed. */
  async function state() {
    var db = await open();
    var actions = await db.getAll('actions');
    var results = await db.getAll('results');
    db.close();
    var byTime = function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; };
    return {
      type: 'queue',
      position: position,
      waiting: actions.sort(byTime).map(function (a) {
        return { key: a.key, kind: a.kind, label: a.label, eventId: a.eventId, sending: Boolean(sending[a.key]) };
      }),
      results: results.sort(byTime).map(function (r) {
        return { key: r.key, kind: r.kind, label: r.label, eventId: r.eventId, ok: r.ok, message: r.message, next: r.next || null };
      }),
    };
  }

  async function announce(target) {
    var message = await state();
    if (target) return target.postMessage(message);
    var windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    windows.forEach(function (client) { client.postMessage(message); });
  }

  function body(item) {
    // An RSVP travels as a plain form; an upload, a typed letter too, as multipart (the only
    // body the upload route takes).
    if (item.kind === 'rsvp') return new URLSearchParams(item.fields);
    var data = new FormData();
    item.fields.forEach(function (f) { data.append(f[0], f[1]); });
    if (item.file) data.append(item.file.name, item.file.blob, item.file.filename);
    return data;
  }

  /** Connection trouble, not an answer: try again later. */
  function retryLater(status) {
    return status === 0 || status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
  }

  /** Sends one item; true when Picket answered (sent or refused), false when it could not be reached. */
  async function sendOne(item) {
    var response;
    try {
      response = await fetch(item.url, {
        method: 'POST', body: body(item), credentials: 'same-origin', redirect: 'follow',
        headers: { Accept: 'application/json', 'Idempotency-Key': item.key },
      });
    } catch (e) {
      return false;
    }
    if (retryLater(response.status)) return false;
    var answer = {};
    try { answer = await response.json(); } catch (e) { /* not JSON */ }
    var ok = response.status >= 200 && response.status < 300;
    var db = await open();
    var tx = db.transaction(['actions', 'results'], 'readwrite');
    // The typed text and the file go; the outcome stays until the person clears the list.
    tx.objectStore('actions').delete(item.key);
    tx.objectStore('results').put({
      key: item.key, kind: item.kind, label: item.label, eventId: item.eventId, queuedAt: item.queuedAt,
      ok: ok, message: String(answer.message || answer.error || response.status),
      // A head-count-only RSVP's answer is its manage link: the one place it exists.
      next: ok && answer.manage ? answer.next : null,
    });
    await tx.done;
    db.close();
    if (ok && item.kind === 'rsvp') {
      // A head-count-only RSVP's manage page is kept now: the person may never open it online.
      var page = answer.manage && answer.next ? new URL(answer.next, self.location.origin).href : null;
      await markOwn(item.eventId, page);
      if (page && keepOwn) await keepOwn(page).catch(function () {});
    }
    return true;
  }

  var running = null;
  var again = false;

  /** Sends everything waiting, oldest first, one at a time; resolves to true when nothing is left. */
  function sendAll() {
    if (running) { again = true; return running; }
    running = (async function () {
      var left = true;
      do {
        again = false;
        var db = await open();
        var items = (await db.getAll('actions')).sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
        db.close();
        left = false;
        for (var i = 0; i < items.length; i++) {
          position = { n: i + 1, total: items.length };
          sending[items[i].key] = true;
          await announce();
          var answered = await sendOne(items[i]);
          delete sending[items[i].key];
          if (!answered) { left = true; break; }
        }
        position = null;
        await announce();
      } while (again && !left);
      return !left;
    })();
    running.then(function () { running = null; }, function () { running = null; });
    return running;
  }

  /**
   * Remembers that this device RSVPed to a picket, and (when known) the address of its manage page.
   * Without an address, the first manage page of that picket opened here is taken as the person's
   * own (the one the RSVP led to, or the link from their e-mail); any other stays unkept.
   */
  async function markOwn(eventId, url) {
    var db = await open();
    var found = await db.get('own', Number(eventId));
    if (url || !found) await db.put('own', { eventId: Number(eventId), url: url || (found && found.url) || null });
    db.close();
  }

  /** Whether `url` is the manage page of this device's RSVP to the picket (claiming it if none is yet). */
  async function isOwn(eventId, url) {
    var db = await open();
    var found = await db.get('own', Number(eventId));
    var mine = Boolean(found) && (!found.url || found.url === url);
    if (found && !found.url) await db.put('own', { eventId: found.eventId, url: url });
    db.close();
    return mine;
  }

  /** The page of a cancelled or erased RSVP: the picket may take a new RSVP's page. */
  async function releaseOwn(url) {
    var db = await open();
    var all = await db.getAll('own');
    for (var i = 0; i < all.length; i++) if (all[i].url === url) await db.put('own', { eventId: all[i].eventId, url: null });
    db.close();
  }

  async function clearResults() {
    var db = await open();
    await db.clear('results');
    db.close();
    await announce();
  }

  /** Where a person goes after an RSVP form was queued: the picket's saved page, at the queue. */
  async function pageOf(eventId, cacheName) {
    var cache = await caches.open(cacheName);
    var keys = await cache.keys();
    var page = new RegExp('^/events/' + eventId + '(-[a-z0-9-]*)?$');
    for (var i = 0; i < keys.length; i++) {
      var url = new URL(keys[i].url);
      if (page.test(url.pathname)) return url.pathname;
    }
    return '/events/' + eventId;
  }

  /**
   * The route for the POSTs that may be queued: straight to Picket; when Picket cannot be
   * reached, the request is kept and the page is told so (a form: back to the picket's page,
   * which shows the queue; a script: 202 with `queued`).
   */
  function handler(cacheName) {
    return async function (options) {
      var request = options.request;
      var found = match(new URL(request.url));
      var copy = request.clone();
      try {
        var response = await fetch(request);
        // A form's RSVP that went through is answered with a redirect (a refused one with the form).
        if (found.rsvp && (response.type === 'opaqueredirect' || response.ok)) await markOwn(found.eventId);
        return response;
      } catch (error) {
        var item = await itemFrom(copy, found);
        await add(item);
        if (request.mode === 'navigate') return Response.redirect((await pageOf(found.eventId, cacheName)) + '#offline-queue', 303);
        return new Response(JSON.stringify({ queued: true, key: item.key }), { status: 202, headers: { 'Content-Type': 'application/json' } });
      }
    };
  }

  var keepOwn = null;
  return {
    match: match, handler: handler, sendAll: sendAll, announce: announce, clearResults: clearResults,
    isOwn: isOwn, releaseOwn: releaseOwn,
    /** How a manage page is kept (service-worker.js). */
    onOwnPage: function (keep) { keepOwn = keep; },
  };
})();
