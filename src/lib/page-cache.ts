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

export function pageCache(opts: PageCacheOptions) {
  const entries = new Map<string, Entry>();
  const maxEntries = opts.maxEntries ?? 500;
  const ttlMs = opts.ttlMs ?? 60_000;

  function send(req: Request, res: Response, entry: Entry) {
    res.type('html');
    if (!entry.shared) return void res.send(entry.html.replaceAll(CSRF_PLACEHOLDER, res.locals.csrfToken()));
    const { shared } = entry;
    res.vary('Accept-Encoding').vary('Accept-Language').vary('Cookie');
    res.set('Cache-Control', opts.cacheControl);
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    const [body, suffix] = encoding === 'br' ? [shared.br, '.br'] : encoding === 'gzip' ? [shared.gzip, '.gz'] : [shared.identity, ''];
    res.set('ETag', `"${shared.etag}${suffix}"`);
    if (matches(req, shared.etag)) return void res.status(304).end();
    // The compression middleware leaves a body that already has an encoding alone.
    if (suffix) res.set('Content-Encoding', encoding as string);
    res.send(body);
  }

  return {
    /** Answers from the cache, or marks the response so that res.page stores what it renders. */
    middleware(req: Request, res: Response, next: NextFunction) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if (req.user || res.locals.flash.length || !CACHEABLE.test(req.path) || !opts.listening()) return next();
      const key = `${req.locale} ${req.originalUrl}`;
      const entry = entries.get(key);
      if (entry && entry.expires > opts.clock.now().getTime() && opts.freshness.isFresh(entry.tags, entry.since)) {
        opts.onEvent?.('hit', key);
        entry.onHit?.();
        return send(req, res, entry);
      }
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
