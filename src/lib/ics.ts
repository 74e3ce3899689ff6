// iCalendar for one picket or a list of them (an event page, a campaign feed). Times are written in
// the event's own zone with a VTIMEZONE, so calendars show the local time even across DST changes.
// Only public fields: never an RSVP, an e-mail address or a private meeting point.
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { EventRow } from '../db/tables';
import { eventPath, publicPlace } from '../presenters/events';

export interface CalendarOptions {
  /** Calendar name shown by the subscriber's app. */
  name: string;
  /** Absolute base URL of this instance, e.g. https://picket.example.org */
  baseUrl: string;
}

/** Builds an iCalendar document with every event of `events` (drafts are the caller's business). */
export function eventsCalendar(events: EventRow[], opts: CalendarOptions): string {
  const years = yearRange(events);
  const calendar = ical({ name: opts.name, prodId: { company: 'Picket', product: 'Picket', language: 'EN' } });
  calendar.timezone({ name: null, generator: (zone: string) => vtimezone(zone, years.from, years.to) });
  const base = opts.baseUrl.replace(/\/+$/, '');
  for (const event of events) {
    const place = publicPlace(event);
    const url = `${base}${eventPath(event)}`;
    calendar.createEvent({
      id: `event-${event.id}@${hostOf(base)}`,
      sequence: Math.floor(event.updated_at.getTime() / 1000) % 2_000_000_000,
      stamp: event.updated_at,
      start: DateTime.fromJSDate(event.starts_at, { zone: event.timezone }),
      end: DateTime.fromJSDate(event.ends_at, { zone: event.timezone }),
      timezone: event.timezone,
      summary: event.status === 'cancelled' ? `[cancelled] ${event.title}` : event.title,
      description: [event.description, url].filter(Boolean).join('\n\n'),
      location: { title: place.label, geo: { lat: place.latitude, lon: place.longitude } },
      url,
      status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}

function hostOf(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return 'picket';
  }
}

function yearRange(events: EventRow[]): { from: number; to: number } {
  if (events.length === 0) return { from: 2000, to: 2000 };
  let from = Infinity;
  let to = -Infinity;
  for (const e of events) {
    from = Math.min(from, e.starts_at.getUTCFullYear());
    to = Math.max(to, e.ends_at.getUTCFullYear());
  }
  return { from, to };
}

const cache = new Map<string, string>();

/**
 * A VTIMEZONE for `zone` covering the years `from`..`to`, built from luxon's (the platform's) zone
 * data: one observance per offset change found in those years, or one fixed observance if none.
 */
export function vtimezone(zone: string, from: number, to: number): string {
  const key = `${zone}|${from}|${to}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const start = DateTime.fromObject({ year: from, month: 1, day: 1 }, { zone: 'UTC' }).toMillis();
  const end = DateTime.fromObject({ year: to + 1, month: 1, day: 1 }, { zone: 'UTC' }).toMillis();
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const first = DateTime.fromMillis(start, { zone });
  lines.push(...observance(first, first.offset, first.offset));
  const day = 24 * 3600_000;
  for (let ms = start; ms < end; ms += day) {
    const before = offsetAt(ms);
    if (offsetAt(ms + day) === before) continue;
    // Narrow the change down to the minute.
    let lo = ms;
    let hi = ms + day;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    lines.push(...observance(DateTime.fromMillis(hi, { zone }), before, offsetAt(hi)));
  }
  lines.push('END:VTIMEZONE');
  const text = lines.join('\r\n');
  if (cache.size > 500) cache.clear();
  cache.set(key, text);
  return text;
}

function observance(at: DateTime, fromOffset: number, toOffset: number): string[] {
  const kind = at.isInDST ? 'DAYLIGHT' : 'STANDARD';
  // DTSTART is the wall-clock time in the offset in force just before the change (RFC 5545 3.6.5).
  const wall = at.toUTC().plus({ minutes: fromOffset });
  return [
    `BEGIN:${kind}`,
    `DTSTART:${wall.toFormat("yyyyMMdd'T'HHmmss")}`,
    `TZOFFSETFROM:${formatOffset(fromOffset)}`,
    `TZOFFSETTO:${formatOffset(toOffset)}`,
    `TZNAME:${at.offsetNameShort ?? formatOffset(toOffset)}`,
    `END:${kind}`,
  ];
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
