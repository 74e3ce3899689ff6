// What of a campaign, its demands, prisoners and pickets the public campaign page may show.
// Owners, e-mail addresses and draft pickets never appear here.
import type { CampaignRow, DemandRow, PrisonerRow, SubmissionRow } from '../db/tables';
import { renderMarkdown } from '../lib/markdown';
import { countryName } from '../lib/places';
import { DateTime, IANAZone } from 'luxon';
import { LRUCache } from 'lru-cache';
import { intlLocale, formatDate } from '../lib/time';
import type { CampaignEventSummary } from '../queries/campaigns';
import type { HandinSummary } from '../queries/submissions';
import { presentHandin, presentPhoto } from './submissions';
import { eventPath, publicPlace } from './events';

/** A campaign in its organisers' lists (dashboard, campaign list). */
export function presentOrganiserCampaign(campaign: CampaignRow) {
  return { id: campaign.id, slug: campaign.slug, title: campaign.title, status: campaign.status, target_country: campaign.target_country };
}

export function presentCampaign(campaign: CampaignRow, locale: string) {
  return {
    slug: campaign.slug,
    path: `/campaigns/${campaign.slug}`,
    title: campaign.title,
    descriptionHtml: renderMarkdown(campaign.description),
    targetCountry: campaign.target_country,
    targetCountryName: countryName(campaign.target_country, locale),
    slogans: campaign.slogans,
    // Goes into lang="…": only a well-formed language tag.
    language: campaign.language && /^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(campaign.language) ? campaign.language : null,
    archived: campaign.status === 'archived',
    // "Host a picket in your city" (issue 17): the organisers opened the call.
    openCall: campaign.status === 'active' && campaign.proposals_open,
  };
}

export function presentDemand(demand: DemandRow, picketCount: number, prisoners: Map<number, PrisonerRow>) {
  const prisoner = demand.prisoner_id ? prisoners.get(demand.prisoner_id) : undefined;
  return {
    id: demand.id,
    kind: demand.kind,
    text: demand.text,
    prisoner: prisoner ? { id: prisoner.id, name: prisoner.name } : null,
    picketCount,
  };
}

export function presentPrisoner(prisoner: PrisonerRow, demands: DemandRow[], locale: string) {
  return {
    id: prisoner.id,
    anchor: `prisoner-${prisoner.id}`,
    name: prisoner.name,
    portraitUrl: prisoner.portrait_key ? `/media/portraits/${prisoner.portrait_key}/thumb` : null,
    storyHtml: renderMarkdown(prisoner.story),
    status: prisoner.status,
    since: prisoner.since ? formatDate(new Date(`${prisoner.since}T12:00:00Z`), 'UTC', locale) : null,
    demands: demands.filter((d) => d.prisoner_id === prisoner.id).map((d) => ({ id: d.id, kind: d.kind, text: d.text })),
  };
}

// A campaign may have a thousand pickets: formatters are built once per language, zone and style
// (luxon would build them per call), with the same options lib/time.ts and local-time.js use.
const LONG: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' };
const SHORT: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 2000 });

function formatIn(instant: Date, zone: string, locale: string, style: 'long' | 'short'): string {
  const key = `${locale}|${zone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(intlLocale(locale), { ...(style === 'long' ? LONG : SHORT), hourCycle: 'h23', timeZone: zone });
    formatters.set(key, f);
  }
  return f.format(instant);
}

const offsets = new LRUCache<string, number>({ max: 10_000 });

/** "UTC+05", "UTC-03:30", "UTC": the zone's offset at that instant (as lib/time.ts zoneOffset). */
function offsetLabel(instant: Date, zone: string): string {
  // Offsets change only on quarter hours, so one lookup per zone and quarter hour is enough.
  const key = `${zone}|${Math.floor(instant.getTime() / 900_000)}`;
  let minutes = offsets.get(key);
  if (minutes === undefined) {
    minutes = IANAZone.create(zone).offset(instant.getTime());
    offsets.set(key, minutes);
  }
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : '';
  return `UTC${minutes < 0 ? '-' : '+'}${hh}${mm}`;
}

/** One picket of the campaign: where, when (in its own zone and as a UTC instant), status. */
export function presentCampaignEvent(event: CampaignEventSummary, locale: string, now: Date) {
  const place = publicPlace(event);
  return {
    id: event.id,
    path: eventPath(event),
    title: event.title,
    kind: event.kind,
    cancelled: event.status === 'cancelled',
    upcoming: event.ends_at > now,
    city: place.city,
    country: place.country,
    countryName: countryName(place.country, locale),
    place: place.label,
    timezone: event.timezone,
    offset: offsetLabel(event.starts_at, event.timezone),
    localStart: formatIn(event.starts_at, event.timezone, locale, 'long'),
    // The board's compact form, the same as public/js/local-time.js writes for the viewer's time.
    localStartShort: formatIn(event.starts_at, event.timezone, locale, 'short'),
    startsAtUtc: event.starts_at.toISOString(),
    startsAtMs: event.starts_at.getTime(),
    actionStatus: event.action_status,
  };
}

export type CampaignEvent = ReturnType<typeof presentCampaignEvent>;

/** Pickets grouped by country: countries with the soonest upcoming picket first; in each, upcoming first. */
const when = (e: CampaignEvent) => e.startsAtMs;

export function groupByCountry(events: CampaignEvent[]) {
  const groups = new Map<string, CampaignEvent[]>();
  for (const e of events) {
    const list = groups.get(e.country);
    if (list) list.push(e);
    else groups.set(e.country, [e]);
  }
  const ordered = [...groups.entries()].map(([country, list]) => {
    const upcoming = list.filter((e) => e.upcoming).sort((a, b) => when(a) - when(b));
    const past = list.filter((e) => !e.upcoming).sort((a, b) => when(b) - when(a));
    return { country, countryName: list[0].countryName, events: [...upcoming, ...past] };
  });
  const key = (g: { events: CampaignEvent[] }) => {
    const first = g.events[0];
    // Countries with something upcoming sort by their next picket, the rest after them by their latest.
    return first.upcoming ? when(first) : Number.MAX_SAFE_INTEGER - when(first);
  };
  return ordered.sort((a, b) => key(a) - key(b) || a.countryName.localeCompare(b.countryName));
}

/**
 * The day-of-action board: one row per city, the city's next picket (or, when none is
 * coming, its latest), in start order.
 */
export function dayOfActionBoard(events: CampaignEvent[]) {
  const byCity = new Map<string, CampaignEvent>();
  for (const e of events) {
    const key = `${e.country}|${e.city.toLowerCase()}`;
    const current = byCity.get(key);
    if (!current || better(e, current)) byCity.set(key, e);
  }
  function better(a: CampaignEvent, b: CampaignEvent): boolean {
    const live = (e: CampaignEvent) => e.upcoming && !e.cancelled;
    if (live(a) !== live(b)) return live(a);
    if (live(a)) return when(a) < when(b);
    return when(a) > when(b);
  }
  return [...byCity.values()].sort((a, b) => when(a) - when(b));
}

/**
 * The report-back of each picket that is over and has something to show: approved photos (a few,
 * as thumbnails) and how its letters were handed in. Public fields only (presenters/submissions).
 */
export function reportBacks(events: CampaignEvent[], media: SubmissionRow[], handins: Map<number, HandinSummary>) {
  return events
    .filter((e) => !e.upcoming && !e.cancelled)
    .map((e) => {
      const own = media.filter((m) => m.event_id === e.id);
      const photos = own.filter((m) => m.kind === 'photo' && m.storage_key).map(presentPhoto);
      return {
        event: e,
        photos: photos.slice(0, 4),
        morePhotos: Math.max(0, photos.length - 4),
        letters: own.filter((m) => m.kind === 'letter').length,
        handin: presentHandin(handins.get(e.id)),
      };
    })
    .filter((r) => r.photos.length || r.letters || r.handin.total)
    .sort((a, b) => b.event.startsAtMs - a.event.startsAtMs);
}

/** The campaign's day of action: the local day most of its coming pickets share (else most of all). */
export function dayOfAction(events: CampaignEvent[]): string | null {
  const live = events.filter((e) => e.upcoming && !e.cancelled);
  const pool = live.length ? live : events;
  const count = new Map<string, number>();
  for (const e of pool) {
    const day = DateTime.fromMillis(e.startsAtMs, { zone: e.timezone }).toISODate()!;
    count.set(day, (count.get(day) ?? 0) + 1);
  }
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}
