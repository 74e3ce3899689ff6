import crypto from 'node:crypto';
import type { EventRow, RsvpRole } from '../db/tables';
import type { SeedContext } from './context';

const PEOPLE: { name: string; role: RsvpRole; note?: string }[] = [
  { name: 'Alesia', role: 'steward', note: 'I can bring the first-aid kit.' },
  { name: 'Maks', role: 'speaker' },
  { name: 'Jo', role: 'attendee', note: 'Coming with two friends.' },
  { name: 'Nadia', role: 'attendee' },
  { name: 'Pierre', role: 'attendee' },
  { name: 'Sveta', role: 'steward' },
];

/**
 * Demo RSVPs on the seeded upcoming pickets (addresses @picket.test); idempotent: an RSVP is
 * identified by its event and e-mail, so running the seed twice changes nothing.
 */
export async function seedRsvps(ctx: SeedContext): Promise<void> {
  const { db, now } = ctx;
  const ids = Object.values(ctx.events);
  if (ids.length === 0) return;
  const upcoming: EventRow[] = await db<EventRow>('events')
    .whereIn('id', ids).where({ status: 'published' }).where('starts_at', '>', now).orderBy('starts_at');
  let created = 0;
  for (const [index, event] of upcoming.entries()) {
    // A varying number per picket, so the counts differ; the first one is nearly full.
    const people = PEOPLE.slice(0, 2 + (index % (PEOPLE.length - 1)));
    let going = 0;
    for (const person of people) {
      const email = `${person.name.toLowerCase()}.${event.id}@picket.test`;
      const exists = await db('rsvps').where({ event_id: event.id }).whereRaw('lower(email) = ?', [email]).first('id');
      if (exists) {
        going += 1;
        continue;
      }
      const status = event.capacity !== null && going >= event.capacity ? 'waitlisted' : 'going';
      await db('rsvps').insert({
        event_id: event.id, name: person.name, email, role: person.role, status, note: person.note ?? '', locale: 'en',
        token: crypto.randomBytes(32).toString('base64url'), status_at: now, created_at: now, updated_at: now,
      });
      if (status === 'going') going += 1;
      created += 1;
    }
    if (index === 0) {
      // Someone who only wanted to be counted: no e-mail (inserted once, recognised by its name).
      const counted = await db('rsvps').where({ event_id: event.id, name: 'Counted only' }).first('id');
      if (!counted) {
        await db('rsvps').insert({
          event_id: event.id, name: 'Counted only', email: null, role: 'attendee', status: 'going', note: '', locale: 'en',
          token: crypto.randomBytes(32).toString('base64url'), status_at: now, created_at: now, updated_at: now,
        });
        created += 1;
      }
    }
  }
  ctx.log(created ? `${created} people coming (RSVPs) to ${upcoming.length} upcoming pickets: added` : `people coming (RSVPs) to the upcoming pickets: there already`);
}
