// A cache of public pages as an anonymous visitor sees them. On a day of action the same few event
// and campaign pages are opened thousands of times; a hit is answered from memory alone: no query,
// no render, no compression. An entry lives until a change to one of its tags is heard (see
// ./freshness.ts and ./change-feed.ts) and for at most `ttlMs` (pages also change with the clock:
// upcoming becomes past). Pages are cached only while the change feed listens, only for visitors
// without a session or a pending message, and only when the route named the page's tags.
//
// A page with no per-visitor part is "shared": stored once as identity, gzip and brotli bytes with
// a strong ETag, answered with 304 to a matching If-None-Match, and marked so that nginx or a CDN
// may keep it briefly. A page that still carries a CSRF token (a form for the visitor) keeps a
// placeholder in the stored copy, filled in per response and compressed on the way out.
import crypto from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from './clock';
import type { Freshness } from './freshness';

export const CSRF_PLACEHOLDER = '\u0000csrf\u0000';

/** Public pages worth caching: the front page, event pages, campaign pages. */
const CACHEABLE = /^\/(?:events\/\d{1,9}(?:-[a-z0-9-]*)?|campaigns\/[a-z0-9-]{1,100})?$/;

interface Shared {
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

interface Entry {
  html: string;
  shared?: Shared;
  tags: string[];
  since: number;
  expires: number;
  onHit?: () => void;
}

export interface PageCacheSlot {
  key: string;
  since: number;
}

/** What a route tells the cache about the page it renders (in res.locals.pageCache). */
export interface PageCacheInfo {
  /** The changes that make this page stale. */
  tags: string[];
  /** Called on every hit (e.g. to refresh counts in the background). */
  onHit?: () => void;
}

export interface PageCacheOptions {
  freshness: Freshness;
  clock: Clock;
  /** False while changes cannot be heard: then nothing is cached or answered from the cache. */
  listening: () => boolean;
  /** Cache-Control of shared pages, e.g. "public, max-age=0, s-maxage=5, stale-while-revalidate=15". */
  cacheControl: string;
  maxEntries?: number;
  ttlMs?: number;
  /** The visitor's language from the `lang` cookie and Accept-Language (as the app negotiates it). */
  localeOf?: (langCookie: string | undefined, acceptLanguage: string | undefined) => string;
  /** Counts renders stored and hits (for tests and benchmarks' logs). */
  onEvent?: (what: 'store' | 'hit', key: string) => void;
}

function share(html: string): Shared {
  const identity = Buffer.from(html);
  const hash = crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  return {
    etag: hash,
    identity,
    gzip: zlib.gzipSync(identity, { level: 9 }),
    // Quality 6: close to the best size for pages of tens of KB at a few ms, once per version.
    br: zlib.brotliCompressSync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  };
}

/** If-None-Match lists this page (any encoding of it). Read here, not with req.fresh: Node's fetch
 * adds `Cache-Control: no-cache` to conditional requests, and req.fresh then never says yes. */
function matches(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === `"${etag}"` || t === `"${etag}.gz"` || t === `"${etag}.br"`;
  });
}

type Encoding = 'br' | 'gzip' | 'identity';
const encodings = new LRUCache<string, Encoding>({ max: 1_000 });

/** Which of `offered` Accept-Encoding prefers (negotiator, as Express); each header ranked once. */
export function bestEncoding(header: string | undefined, offered: readonly Encoding[] = ['br', 'gzip', 'identity']): Encoding {
  const key = `${offered.join()} ${header ?? ''}`;
  let best = encodings.get(key);
  if (!best) {
    best = (new Negotiator({ headers: { 'accept-encoding': header ?? '' } }).encoding([...offered]) ?? 'identity') as Encoding;
    if (key.length <= 250) encodings.set(key, best);
  }
  return best;
}

/** A session or a pending message makes the page the visitor's own: never answered from the cache. */
const OWN_COOKIES = /(?:^|;\s*)(?:picket\.sid|flash)=/;

export function pageCache(opts: PageCacheOptions) {
  const entries = new Map<string, Entry>();
  const maxEntries = opts.maxEntries ?? 500;
  const ttlMs = opts.ttlMs ?? 60_000;
  const usable = (entry: Entry) => entry.expires > opts.clock.now().getTime() && opts.freshness.isFresh(entry.tags, entry.since);

  function send(req: Request, res: Response, entry: Entry) {
    if (!entry.shared) {
      res.type('html');
      return void res.send(entry.html.replaceAll(CSRF_PLACEHOLDER, res.locals.csrfToken()));
    }
    // Written with Node's own calls, not res.send/res.vary/res.type: on a hit, Express's helpers
    // (freshness, charset and Vary parsing) cost as much as the rest of the answer.
    const { shared } = entry;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Vary', 'Accept-Encoding, Accept-Language, Cookie');
    res.setHeader('Cache-Control', opts.cacheControl);
    const encoding = bestEncoding(req.headers['accept-encoding']);
    const [body, suffix] = encoding === 'br' ? [shared.br, '.br'] : encoding === 'gzip' ? [shared.gzip, '.gz'] : [shared.identity, ''];
    res.setHeader('ETag', `"${shared.etag}${suffix}"`);
    if (matches(req, shared.etag)) {
      res.statusCode = 304;
      return void res.end();
    }
    // The compression middleware leaves a body that already has an encoding alone.
    if (suffix) res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function hit(req: Request, res: Response, key: string, entry: Entry) {
    opts.onEvent?.('hit', key);
    entry.onHit?.();
    send(req, res, entry);
  }

  return {
    /**
     * The busiest answer of a day of action, first in the stack: an anonymous visitor's shared page
     * (no session, no message, no token in it) straight from memory, before logging, cookies,
     * sessions and routing, which cost more than the answer itself. Everything else goes on to
     * `middleware` below. Hits answered here are not access-logged, as a proxy's cache would not be.
     */
    early(req: Request, res: Response, next: NextFunction) {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !opts.localeOf) return next();
      const cookies = req.headers.cookie;
      if ((cookies && OWN_COOKIES.test(cookies)) || !CACHEABLE.test(req.path) || !opts.listening()) return next();
      const lang = cookies ? parseCookies(cookies).lang : undefined;
      const key = `${opts.localeOf(lang, req.headers['accept-language'])} ${req.originalUrl}`;
      const entry = entries.get(key);
      if (!entry?.shared || !usable(entry)) return next();
      hit(req, res, key, entry);
    },

    /** Answers from the cache, or marks the response so that res.page stores what it renders. */
    middleware(req: Request, res: Response, next: NextFunction) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if (req.user || res.locals.flash.length || !CACHEABLE.test(req.path) || !opts.listening()) return next();
      const key = `${req.locale} ${req.originalUrl}`;
      const entry = entries.get(key);
      if (entry && usable(entry)) return hit(req, res, key, entry);
      if (entry) entries.delete(key);
      res.locals.pageCacheSlot = { key, since: opts.freshness.now() } satisfies PageCacheSlot;
      next();
    },

    /**
     * Stores a page rendered for a slot (when its route named its tags) and sends it as a hit
     * would be sent. Returns false when the page is not for the cache: the caller sends it.
     */
    storeAndSend(req: Request, res: Response, slot: PageCacheSlot, html: string, info: PageCacheInfo | undefined): boolean {
      if (!info || res.get('Cache-Control') || !opts.listening()) return false;
      const shared = html.includes(CSRF_PLACEHOLDER) ? undefined : share(html);
      const entry: Entry = {
        html: shared ? '' : html, // a shared page is kept as bytes only
        tags: info.tags, since: slot.since, expires: opts.clock.now().getTime() + ttlMs, onHit: info.onHit, shared,
      };
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.delete(slot.key);
      entries.set(slot.key, entry);
      opts.onEvent?.('store', slot.key);
      send(req, res, entry);
      return true;
    },
  };
}
