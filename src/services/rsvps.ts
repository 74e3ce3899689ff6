// RSVPs: capacity, waitlist, the manage link. Every decision about who is going is taken while
// holding the event row's lock (select ... for update), so simultaneous RSVPs queue up and the
// event never goes over capacity. E-mails are queued as jobs (for a new RSVP: marked pending, see
// rsvp_confirmation_batches) in the same transaction as the change that causes them.
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { EventRow, RsvpRole, RsvpRow } from '../db/tables';
import { CLOSED_RSVP_STATES, RsvpState } from '../domain/enums';
import { NotFound } from '../lib/errors';
import { newToken } from '../lib/tokens';
import type { FieldErrors } from '../lib/validation';
import * as q from '../queries/rsvps';
import * as attendees from '../queries/attendees';
import { can, picket } from '../policies';
import { isBlocked } from './block-list';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'sessionSecret'>;

export interface RsvpInput {
  name: string;
  /** null: head-count only (allowed only when the event says so). */
  email: string | null;
  role: RsvpRole;
  note: string;
  locale: string;
}

/** Whether the event takes RSVPs now, as the SQL function rsvp_state decides (the one definition). */
export async function rsvpState(deps: { db: Knex | Knex.Transaction; clock: Deps['clock'] }, eventId: number): Promise<RsvpState> {
  return (await q.state(deps.db, eventId, deps.clock.now())) ?? 'draft';
}

/** Why an event in `state` takes no RSVPs, as an i18n key; null when it does (maybe on the waitlist). */
export function closedReason(state: RsvpState): string | null {
  return CLOSED_RSVP_STATES.includes(state) ? `rsvps.closed.${state}` : null;
}

/** The event an anonymous visitor may RSVP to: published or cancelled, never a draft. */
export async function publicEvent(deps: Pick<Deps, 'db'>, eventId: number): Promise<EventRow> {
  const event = Number.isSafeInteger(eventId) ? await q.findEvent(deps.db, eventId) : undefined;
  if (!event || !can(null, 'view', picket(event))) throw new NotFound();
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
  // What a new RSVP would have been told, by the one rule (rsvp_state).
  const state = await rsvpState(deps, eventId);
  const closed = closedReason(state);
  if (closed) return { ok: false, event, errors: { _form: closed } };
  if (state === 'full') return { ok: false, event, errors: REFUSALS.full! };
  await q.queueMail(deps.db, rsvpId, { kind: 'already' });
  return { ok: true, rsvp: { email: input.email, status: shownNewStatus(event, state), token: '' }, eventId };
}

export type ManageState = 'valid' | 'unknown' | 'cancelled' | 'erased';

export interface Managed {
  state: ManageState;
  rsvp?: RsvpRow;
  event?: EventRow;
  /** Why the RSVP can no longer be changed or cancelled (the picket started, or was cancelled), as an i18n key. */
  locked?: string | null;
}

/** What the manage link leads to. Unknown and used-up links are told apart for a clear page. */
export async function findByToken(deps: Pick<Deps, 'db' | 'clock'>, token: string): Promise<Managed> {
  // Tokens are 43 base64url characters; anything else cannot match and skips the query.
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: 'unknown' };
  const rsvp = await q.findByToken(deps.db, token);
  if (!rsvp) return { state: 'unknown' };
  const event = await q.findEvent(deps.db, rsvp.event_id);
  if (!event) return { state: 'unknown' };
  if (rsvp.erased_at) return { state: 'erased', rsvp, event };
  if (rsvp.status === 'cancelled') return { state: 'cancelled', rsvp, event };
  const closed = closedReason((await q.state(deps.db, event.id, deps.clock.now()))!);
  return { state: 'valid', rsvp, event, locked: closed ? lockedReason(event) : null };
}

/** Once a picket has started (or was cancelled), its RSVPs stay as they are: the record of who came. */
function lockedReason(event: EventRow): string {
  return event.status === 'cancelled' ? 'rules.manage.lockedCancelled' : 'rules.manage.lockedStarted';
}

/**
 * Changes or cancels one's own RSVP by its manage link, under the event's lock, if the picket
 * still takes RSVPs (rsvp_state); otherwise nothing changes and `locked` says why.
 */
async function changeOwn(deps: Deps, token: string, change: (trx: Knex.Transaction, rsvp: RsvpRow, event: EventRow, now: Date) => Promise<RsvpRow>): Promise<Managed> {
  const found = await findByToken(deps, token);
  if (found.state !== 'valid') return found;
  return deps.db.transaction(async (trx): Promise<Managed> => {
    const event = (await q.lockEvent(trx, found.event!.id))!;
    const rsvp = (await q.findById(trx, found.rsvp!.id))!;
    if (rsvp.status === 'cancelled') return { state: 'cancelled', rsvp, event };
    const now = deps.clock.now();
    if (closedReason((await q.state(trx, event.id, now))!)) return { state: 'valid', rsvp, event, locked: lockedReason(event) };
    return { state: 'valid', rsvp: await change(trx, rsvp, event, now), event, locked: null };
  });
}

export function updateOwnRsvp(deps: Deps, token: string, input: { name: string; role: RsvpRole; note: string }): Promise<Managed> {
  return changeOwn(deps, token, (trx, rsvp, _event, now) => q.update(trx, rsvp.id, { ...input, updated_at: now }));
}

/** Cancels by manage link; a freed place goes to the first on the waitlist, who is e-mailed. */
export function cancelOwnRsvp(deps: Deps, token: string): Promise<Managed> {
  return changeOwn(deps, token, async (trx, rsvp, event, now) => {
    const cancelled = await q.update(trx, rsvp.id, { status: 'cancelled', status_at: now, updated_at: now });
    await promoteWaitlisted(trx, event.id, now);
    return cancelled;
  });
}

/**
 * Fills free places from the waitlist in the order people joined it, and queues each promoted
 * person's e-mail in the same transaction. rsvp_promote decides (only while the picket is open:
 * nobody is promoted into a picket that is over).
 */
export async function promoteWaitlisted(trx: Knex.Transaction, eventId: number, now: Date): Promise<number> {
  const promoted = await q.promote(trx, eventId, now);
  for (const id of promoted) await q.queueMail(trx, id, { kind: 'promoted' });
  return promoted.length;
}

/** What a new RSVP is told it became while the picket is in `state` (open or waitlist). */
function shownNewStatus(event: Pick<EventRow, 'approve_attendees'>, state: RsvpState): RsvpRow['status'] {
  if (event.approve_attendees) return 'requested';
  return state === 'open' ? 'going' : 'waitlisted';
}

/**
 * An RSVP from a blocked address: stored as a request nobody can approve (so it never holds a
 * place, is never promoted, never told the meeting point); the person is told exactly what anyone
 * else would have been told, by the same rule (rsvp_state).
 */
export async function submitBlocked(deps: Pick<Deps, 'db' | 'clock'>, eventId: number, input: RsvpInput & { email: string }, token: string): Promise<RsvpResult> {
  return deps.db.transaction(async (trx): Promise<RsvpResult> => {
    const event = await q.lockEvent(trx, eventId);
    if (!event) throw new NotFound();
    const now = deps.clock.now();
    const state = (await q.state(trx, eventId, now)) ?? 'draft';
    if (state === 'draft') throw new NotFound();
    const closed = closedReason(state);
    if (closed) return { ok: false, event, errors: { _form: closed } };
    if (state === 'full') return { ok: false, event, errors: REFUSALS.full! };
    const existing = await attendees.findByEmail(trx, eventId, input.email);
    // As for anyone: a second RSVP with an address changes nothing; its owner gets their link.
    const rsvp = existing ?? (await attendees.insertBlocked(trx, { event_id: eventId, name: input.name, email: input.email, note: input.note, role: input.role, locale: input.locale, token, now }));
    await q.queueMail(trx, rsvp.id, { kind: existing ? 'already' : 'confirmation' });
    return { ok: true, rsvp: { email: input.email, status: shownNewStatus(event, state), token: existing ? '' : token }, eventId };
  });
}
