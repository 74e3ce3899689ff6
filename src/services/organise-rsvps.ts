// The organiser's side of RSVPs: the list with counts, the CSV export and messages to attendees.
// An organiser reaches only their own events; admins reach all; anyone else gets 403.
import { stringify } from 'csv-stringify/sync';
import type { AppDeps } from '../deps';
import type { EventRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { paging } from '../lib/paging';
import { presentRsvpForOrganiser, presentStatusTallies } from '../presenters/rsvps';
import * as q from '../queries/rsvps';
import { accountId, Actor, authorize, picket } from '../policies';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

export async function eventForOrganiser(deps: Pick<Deps, 'db'>, user: Actor, eventId: number): Promise<EventRow> {
  const event = Number.isSafeInteger(eventId) ? await q.findEvent(deps.db, eventId) : undefined;
  if (!event) throw new NotFound();
  authorize(user, 'manage', picket(event));
  return event;
}

export const RSVPS_PER_PAGE = 100;

/** The list a page at a time (the CSV has everyone). */
export async function rsvpOverview(deps: Deps, user: Actor, eventId: number, locale: string, page = 1) {
  const event = await eventForOrganiser(deps, user, eventId);
  const [counts, messages] = await Promise.all([q.counts(deps.db, event.id), q.listMessages(deps.db, event.id)]);
  const total = Object.values(counts.byStatus).reduce((a, b) => a + b, 0);
  const p = paging(page, total, RSVPS_PER_PAGE);
  const rows = await q.listForEvent(deps.db, event.id, { limit: p.perPage, offset: p.offset });
  return { event, rsvps: rows.map((r) => presentRsvpForOrganiser(r, event, locale, accountId(user) !== null)), counts, tallies: presentStatusTallies(event, counts), messages, paging: p };
}

/** A cell that a spreadsheet would run as a formula is prefixed with a quote (CSV injection). */
function cell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export async function rsvpCsv(deps: Deps, user: Actor, eventId: number, locale: string): Promise<{ event: EventRow; csv: string }> {
  const event = await eventForOrganiser(deps, user, eventId);
  const rows = (await q.listForEvent(deps.db, event.id)).map((r) => presentRsvpForOrganiser(r, event, locale));
  const csv = stringify(
    rows.map((r) => [r.name, r.email, r.role, r.status, r.blocked ? 'yes' : '', r.note, r.createdAt].map((v) => cell(String(v)))),
    { header: true, columns: ['name', 'email', 'role', 'status', 'blocked', 'note', 'rsvp_at'] },
  );
  return { event, csv };
}

/** Queues the message to everyone going and keeps a copy in the event's history. */
export async function messageAttendees(
  deps: Deps,
  user: Actor,
  eventId: number,
  input: { subject: string; body: string },
): Promise<{ recipients: number }> {
  const event = await eventForOrganiser(deps, user, eventId);
  return deps.db.transaction(async (trx) => {
    const message = await q.insertMessage(trx, {
      event_id: event.id, author_id: accountId(user), kind: 'message', subject: input.subject, body: input.body, recipients: 0,
      created_at: deps.clock.now(),
    });
    const recipients = await q.queueMailToEvent(trx, event.id, ['going'], { kind: 'message', messageId: message.id });
    await q.setMessageRecipients(trx, message.id, recipients);
    return { recipients };
  });
}
