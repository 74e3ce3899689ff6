// Called by the events service, inside its transaction (holding the event row's lock), whenever an
// organiser changes a picket. Attendees (going and waitlisted) are told about changes of time,
// place or status; each notice is a queued job, and a copy goes into the event's history.
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { EventRow } from '../db/tables';
import * as q from '../queries/rsvps';

const TIME: (keyof EventRow)[] = ['starts_at', 'ends_at', 'timezone'];
const PLACE: (keyof EventRow)[] = ['venue_id', 'address', 'city', 'country', 'latitude', 'longitude', 'meeting_point', 'meeting_point_private'];

function differs(before: EventRow, after: EventRow, keys: (keyof EventRow)[]): boolean {
  return keys.some((key) => {
    const a = before[key];
    const b = after[key];
    return a instanceof Date && b instanceof Date ? a.getTime() !== b.getTime() : String(a) !== String(b);
  });
}

/** The place as a waitlisted or going attendee knew it (the exact point only if it was public). */
function placeLabel(event: EventRow): string {
  return event.meeting_point_private
    ? event.city
    : [event.meeting_point, event.address, event.city].filter((p) => p && p.trim()).join(', ');
}

export async function eventChanged(
  trx: Knex.Transaction,
  deps: Pick<AppDeps, 'config' | 'i18n' | 'clock'>,
  before: EventRow,
  after: EventRow,
): Promise<void> {
  const now = deps.clock.now();
  const told = ['going', 'waitlisted'] as const;
  if (after.status === 'cancelled' && before.status !== 'cancelled') {
    const recipients = await q.queueMailToEvent(trx, after.id, [...told], { kind: 'event-cancelled' });
    await q.insertMessage(trx, { event_id: after.id, author_id: null, kind: 'cancellation', subject: '', body: '', recipients, created_at: now });
    return;
  }
  // Drafts have no RSVPs; a picket that is over needs no notice.
  if (after.status !== 'published' || before.status !== 'published' || before.ends_at <= now) return;
  const changed: ('time' | 'place')[] = [];
  if (differs(before, after, TIME)) changed.push('time');
  if (differs(before, after, PLACE)) changed.push('place');
  if (changed.length === 0) return;
  const recipients = await q.queueMailToEvent(trx, after.id, [...told], {
    kind: 'changed',
    changed,
    before: { startsAt: before.starts_at.toISOString(), timezone: before.timezone, place: placeLabel(before) },
  });
  await q.insertMessage(trx, { event_id: after.id, author_id: null, kind: 'change', subject: '', body: changed.join(','), recipients, created_at: now });
}
