// A small cache of public pages as an anonymous visitor sees them. On a day of action the same few
// event and campaign pages are opened thousands of times; rendering each costs far more than
// checking one version number. An entry is used only while the public data version (bumped by
// triggers on every write, see migrations/*_map_version.ts and *_page_version.ts) is unchanged and
// for at most a minute (pages also change with the clock: upcoming becomes past). Logged-in
// organisers and visitors with a pending message never use it. The CSRF token, the one part that
// differs per visitor, is left as a placeholder in the stored page and filled in on the way out.
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Clock } from './clock';

export const CSRF_PLACEHOLDER = '\u0000csrf\u0000';

/** Public pages worth caching: the front page, event pages, campaign pages. */
const CACHEABLE = /^\/(?:events\/\d{1,9}(?:-[a-z0-9-]*)?|campaigns\/[a-z0-9-]{1,100})?$/;

interface Entry {
  html: string;
  version: string;
  expires: number;
}

export interface PageCacheSlot {
  key: string;
  version: string;
}

export function pageCache(opts: { db: Knex; clock: Clock; maxEntries?: number; ttlMs?: number }) {
  const entries = new Map<string, Entry>();
  const maxEntries = opts.maxEntries ?? 500;
  const ttlMs = opts.ttlMs ?? 60_000;

  async function version(): Promise<string> {
    const row = await opts.db('map_version').sum({ version: 'version' }).first();
    return String((row as { version: number | string }).version);
  }

  return {
    /** Answers from the cache, or marks the response so that res.page stores what it renders. */
    async middleware(req: Request, res: Response, next: NextFunction) {
      if (req.method !== 'GET' || req.user || res.locals.flash.length || !CACHEABLE.test(req.path)) return next();
      const key = `${req.locale} ${req.originalUrl}`;
      const current = await version();
      const entry = entries.get(key);
      if (entry && entry.version === current && entry.expires > opts.clock.now().getTime()) {
        res.type('html');
        res.send(entry.html.replaceAll(CSRF_PLACEHOLDER, res.locals.csrfToken()));
        return;
      }
      res.locals.pageCacheSlot = { key, version: current } satisfies PageCacheSlot;
      next();
    },
    store(slot: PageCacheSlot, html: string) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.delete(slot.key);
      entries.set(slot.key, { html, version: slot.version, expires: opts.clock.now().getTime() + ttlMs });
    },
  };
}
