// iCalendar for one picket or a list of them (an event page, a campaign feed). Times are written in
// the event's own zone with a VTIMEZONE, so calendars show the local time even across DST changes.
// Only public fields: never an RSVP, an e-mail address or a private meeting point.
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import type { EventRow } from '../db/tables';
import { eventPath, publicPlace } from './events';

export interface CalendarOptions {
  /** Calendar name shown by the subscriber's app. */
  name: string;
  /** Absolute base URL of this instance, e.g. https://picket.example.org */
  baseUrl: string;
}

/** Builds an iCalendar document with every event of `events` (drafts are the caller's business). */
export function eventsCalendar(events: EventRow[], opts: CalendarOptions): string {
  const calendar = ical({ name: opts.name, prodId: { company: 'Picket', product: 'Picket', language: 'EN' } });
  calendar.timezone({ name: null, generator: vtimezone });
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
      timezone: zoneOf(event.timezone),
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

/**
 * The VTIMEZONE of `zone` from timezones-ical-library (the IANA rules as calendar apps read them),
 * under the name the event uses: the library files aliases (Europe/Kiev, Asia/Calcutta) under
 * their canonical name, and a TZID that differs from the event's would leave its times unzoned.
 * The rules are today's (recurring from 1970): right for pickets to come, which is what
 * calendars are for; a zone the library lacks is written in UTC instead (see zoneOf).
 */
export function vtimezone(zone: string): string | null {
  if (!knownZones.has(zone)) return null;
  const block = tzlib_get_ical_block(zone);
  if (!Array.isArray(block)) return null;
  return block[0].replace(/^TZID:.*$/m, `TZID:${zone}`).replace(/^X-LIC-LOCATION:.*$/m, `X-LIC-LOCATION:${zone}`);
}

const knownZones = new Set(tzlib_get_timezones() as string[]);

/** The event's own zone when a VTIMEZONE can be written for it, else null (times in UTC). */
function zoneOf(zone: string): string | null {
  return knownZones.has(zone) ? zone : null;
}
