// What this process keeps of the public side (pages, counts, the map feed) and how each change
// heard from PostgreSQL makes only the parts that show it stale. Payloads come from the triggers of
// migrations/20261130040000_change_notifications.ts; tags are what cached things depend on:
//   event:<id>            the picket itself (its page, its point)
//   media:<id>            its approved photos and letters
//   campaign:<id>         a campaign, its demands, prisoners, letter templates (its page, its pickets' pages)
//   campaign-pickets:<id> the list of a campaign's pickets (its page)
//   pickets, campaigns    any public picket / campaign (the front page)
//   rsvps:<id>            counts only: never a page (see ./public-counts.ts)
import type { AppDeps } from '../deps';
import { ChangeFeed, noChangeFeed } from '../lib/change-feed';
import { Freshness } from '../lib/freshness';
import { CountCache } from './public-counts';
import { MapFeed } from './map';

/** The channel the triggers notify on. */
export const CHANGES_CHANNEL = 'picket_changes';

export interface PublicCache {
  freshness: Freshness;
  counts: CountCache;
  map: MapFeed;
  listening: () => boolean;
}

/** The tags a notification makes stale; null means everything. */
export function tagsOf(payload: string): string[] | null {
  const [kind, id, campaign] = payload.split(':');
  if (kind === 'e') return [`event:${id}`, 'pickets', ...(campaign ? [`campaign-pickets:${campaign}`] : [])];
  if (kind === 'c') return [`campaign:${id}`, 'campaigns'];
  if (kind === 'm') return [`media:${id}`];
  if (kind === 'r') return [`rsvps:${id}`];
  return null;
}

/** Tags of the public pages (routes name them so the page cache keeps their pages). */
export const pageTags = {
  event: (event: { id: number; campaign_id: number | null }) =>
    [`event:${event.id}`, `media:${event.id}`, `rsvp-form:${event.id}`, ...(event.campaign_id ? [`campaign:${event.campaign_id}`] : [])],
  campaign: (campaignId: number) => [`campaign:${campaignId}`, `campaign-pickets:${campaignId}`],
  home: () => ['pickets', 'campaigns'],
};

export function createPublicCache(deps: Pick<AppDeps, 'db' | 'clock' | 'config'> & { changes?: ChangeFeed }): PublicCache {
  const changes = deps.changes ?? noChangeFeed;
  const listening = () => changes.listening;
  const freshness = new Freshness();
  const counts = new CountCache(deps, freshness, listening, deps.config.RSVP_COUNT_SECONDS * 1000);
  const map = new MapFeed(deps, listening, deps.config.MAP_COUNT_SECONDS * 1000);
  const forgetAll = () => {
    freshness.reset();
    counts.forget();
    map.reset();
  };
  changes.subscribe((payload) => {
    const tags = tagsOf(payload);
    if (!tags) return forgetAll();
    freshness.touch(tags);
    const [kind, id] = payload.split(':');
    map.heard(kind, Number(id));
  }, forgetAll);
  return { freshness, counts, map, listening };
}
