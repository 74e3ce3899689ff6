// RSVPs: capacity, waitlist, the manage link. Every decision about who is going is taken while
// holding the event row's lock (select ... for update), so simultaneous RSVPs queue up and the
// event never goes over capacity. E-mails are queued as jobs (for a new RSVP: marked pending, see
// rsvp_confirmation_batches) in the same transaction as the change that causes them.
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import type { EventRow, RsvpRole, RsvpRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { newToken } from '../lib/tokens';
import type { FieldErrors } from '../lib/validation';
import * as q from '../queries/rsvps';
import * as attendees from '../queries/attendees';
import { isBlocked, shownStatus } from './block-list';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'sessionSecret'>;

export interface RsvpInput {
  name: string;
  /** null: head-count only (allowed only when the event says so). */
  email: string | null;
  role: RsvpRole;
  note: string;
  locale: string;
}

/** Why an event takes no RSVPs now, as an i18n key; null when it does. */
export function closedReason(event: EventRow, now: Date): string | null {
  if (event.status === 'cancelled') return 'rsvps.closed.cancelled';
  if (event.status !== 'published') return 'rsvps.closed.draft';
  if (event.starts_at <= now) return 'rsvps.closed.past';
  return null;
}

/** The event an anonymous visitor may RSVP to: published or cancelled, never a draft. */
export async function publicEvent(deps: Pick<Deps, 'db'>, eventId: number): Promise<EventRow> {
  const event = Number.isSafeInteger(eventId) ? await q.findEvent(deps.db, eventId) : undefined;
  if (!event || event.status === 'draft') throw new NotFound();
  return event;
}

export type RsvpResult =
  | { ok: true; rsvp: Pick<RsvpRow, 'email' | 'status' | 'token'>; eventId: number }
  | { ok: false; event: EventRow; errors: FieldErrors };

const REFUSALS: Partial<Record<q.SubmitOutcome, FieldErrors>> = {
  draft: { _form: 'rsvps.closed.draft' },
  cancelled: { _form: 'rsvps.closed.cancelled' },
  past: { _form: 'rsvps.closed.past' },
  full: { _form: 'rsvps.closed.full' },
  email_required: { email: 'errors.required' },
};

/**
 * A new RSVP takes one database round trip (q.submit: lock, count, insert, queue, commit inside
 * PostgreSQL), so hundreds of people can RSVP to one picket at once without ever going over
 * capacity. An e-mail address that already has an RSVP for the event changes nothing: see
 * answerExisting.
 */
export async function submitRsvp(deps: Deps, eventId: number, input: RsvpInput): Promise<RsvpResult> {
  if (!Number.isSafeInteger(eventId)) throw new NotFound();
  const token = newToken();
  if (input.email && (await isBlocked(deps, eventId, input.email))) return submitBlocked(deps, eventId, { ...input, email: input.email }, token);
  const result = await q.submit(deps.db, { event_id: eventId, ...input, token, now: deps.clock.now() });
  if (result.outcome === 'missing') throw new NotFound();
  if (result.outcome === 'inserted') {
    // On a picket that approves attendees the row became a request (a trigger); ask what was stored.
    const status = (await q.findById(deps.db, result.rsvpId!))?.status ?? result.status!;
    return { ok: true, rsvp: { email: input.email, status, token }, eventId };
  }
  if (result.outcome === 'existing') return answerExisting(deps, eventId, result.rsvpId!, input);
  return { ok: false, event: (await q.findEvent(deps.db, eventId))!, errors: REFUSALS[result.outcome] ?? { _form: 'errors.invalid' } };
}

/**
 * Knowing someone's e-mail address must not let anyone rewrite or revive their RSVP: only the
 * manage link can. So a second RSVP with the same address changes nothing (name, role, note and
 * status stay; a cancelled RSVP stays cancelled), the visitor is told exactly what a new RSVP would
 * have been told (so the page reveals nothing), and the address's owner is e-mailed their link.
 */
async function answerExisting(deps: Deps, eventId: number, rsvpId: number, input: RsvpInput): Promise<RsvpResult> {
  const event = (await q.findEvent(deps.db, eventId))!;
  const hasRoom = event.capacity === null || (await q.goingCount(deps.db, event.id)) < event.capacity;
  if (!hasRoom && !event.waitlist_enabled) return { ok: false, event, errors: REFUSALS.full! };
  await q.queueMail(deps.db, rsvpId, { kind: 'already' });
  return { ok: true, rsvp: { email: input.email, status: event.approve_attendees ? 'requested' : hasRoom ? 'going' : 'waitlisted', token: '' }, eventId };
}

export type ManageState = 'valid' | 'unknown' | 'cancelled' | 'erased';

/** What the manage link leads to. Unknown and used-up links are told apart for a clear page. */
export async function findByToken(
  deps: Pick<Deps, 'db'>,
  token: string,
): Promise<{ state: ManageState; rsvp?: RsvpRow; event?: EventRow }> {
  // Tokens are 43 base64url characters; anything else cannot match and skips the query.
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: 'unknown' };
  const rsvp = await q.findByToken(deps.db, token);
  if (!rsvp) return { state: 'unknown' };
  const event = await q.findEvent(deps.db, rsvp.event_id);
  if (!event) return { state: 'unknown' };
  if (rsvp.erased_at) return { state: 'erased', rsvp, event };
  if (rsvp.status === 'cancelled') return { state: 'cancelled', rsvp, event };
  return { state: 'valid', rsvp, event };
}

export async function updateOwnRsvp(
  deps: Deps,
  token: string,
  input: { name: string; role: RsvpRole; note: string },
): Promise<{ state: ManageState; rsvp?: RsvpRow; event?: EventRow }> {
  const found = await findByToken(deps, token);
  if (found.state !== 'valid') return found;
  const rsvp = await q.update(deps.db, found.rsvp!.id, { ...input, updated_at: deps.clock.now() });
  return { state: 'valid', rsvp, event: found.event };
}

/** Cancels by manage link; a freed place goes to the first on the waitlist, who is e-mailed. */
export async function cancelOwnRsvp(deps: Deps, token: string): Promise<{ state: ManageState; event?: EventRow }> {
  const found = await findByToken(deps, token);
  if (found.state !== 'valid') return found;
  return deps.db.transaction(async (trx) => {
    const event = (await q.lockEvent(trx, found.event!.id))!;
    const rsvp = (await q.findById(trx, found.rsvp!.id))!;
    if (rsvp.status === 'cancelled') return { state: 'cancelled' as const, event };
    const now = deps.clock.now();
    await q.update(trx, rsvp.id, { status: 'cancelled', status_at: now, updated_at: now });
    await promoteWaitlisted(trx, event, now);
    return { state: 'valid' as const, event };
  });
}

/**
 * Fills free places from the waitlist, longest waiting first. The caller holds the event lock.
 * Only for upcoming published events: nobody is promoted into a picket that is over.
 */
export async function promoteWaitlisted(trx: Knex.Transaction, event: EventRow, now: Date): Promise<number> {
  if (event.status !== 'published' || event.starts_at <= now) return 0;
  let promoted = 0;
  for (;;) {
    if (event.capacity !== null && (await q.goingCount(trx, event.id)) >= event.capacity) return promoted;
    const next = await q.firstWaitlisted(trx, event.id);
    if (!next) return promoted;
    await q.update(trx, next.id, { status: 'going', status_at: now, updated_at: now });
    await q.queueMail(trx, next.id, { kind: 'promoted' });
    promoted += 1;
  }
}

/** An RSVP from a blocked address: stored as a request nobody can approve; the person sees it accepted. */
export async function submitBlocked(deps: Pick<Deps, 'db' | 'clock'>, eventId: number, input: RsvpInput & { email: string }, token: string) {
  return deps.db.transaction(async (trx) => {
    const event = await q.lockEvent(trx, eventId);
    if (!event || event.status === 'draft') throw new NotFound();
    const now = deps.clock.now();
    const closed = closedReason(event, now);
    if (closed) return { ok: false as const, event, errors: { _form: closed } };
    const existing = await attendees.findByEmail(trx, eventId, input.email);
    // As for anyone: a second RSVP with an address changes nothing; its owner gets their link.
    const rsvp = existing ?? (await attendees.insertBlocked(trx, { event_id: eventId, name: input.name, email: input.email, note: input.note, role: input.role, locale: input.locale, token, now }));
    await q.queueMail(trx, rsvp.id, { kind: existing ? 'already' : 'confirmation' });
    const shown = shownStatus({ status: 'requested', blocked: true }, event);
    return { ok: true as const, rsvp: { email: input.email, status: shown, token: existing ? '' : token }, eventId };
  });
}
