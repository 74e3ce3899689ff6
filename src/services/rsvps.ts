// RSVPs: capacity, waitlist, the manage link. Every decision about who is going is taken while
// holding the event row's lock (select ... for update), so simultaneous RSVPs queue up and the
// event never goes over capacity. E-mails are queued as jobs in the same transaction.
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import type { EventRow, RsvpRole, RsvpRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { newToken } from '../lib/tokens';
import type { FieldErrors } from '../lib/validation';
import * as q from '../queries/rsvps';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export interface RsvpInput {
  name: string;
  /** null: head-count only (allowed only when the event says so). */
  email: string | null;
  role: RsvpRole;
  note: string;
  locale: string;
}

export type RsvpResult =
  | { ok: true; rsvp: RsvpRow; event: EventRow; updated: boolean }
  | { ok: false; event: EventRow; errors: FieldErrors };

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

export async function submitRsvp(deps: Deps, eventId: number, input: RsvpInput): Promise<RsvpResult> {
  await publicEvent(deps, eventId);
  return deps.db.transaction(async (trx): Promise<RsvpResult> => {
    const event = (await q.lockEventForRsvp(trx, eventId))!;
    const now = deps.clock.now();
    const closed = closedReason(event, now);
    if (closed) return { ok: false, event, errors: { _form: closed } };
    if (!input.email && !event.headcount_only_allowed) return { ok: false, event, errors: { email: 'errors.required' } };

    const { going, existing } = await q.capacityState(trx, event.id, input.email);
    const hasRoom = event.capacity === null || going < event.capacity;

    // A second RSVP with the same e-mail updates the first one.
    if (existing && !existing.erased_at) {
      let status = existing.status;
      if (status === 'cancelled') {
        if (!hasRoom && !event.waitlist_enabled) return { ok: false, event, errors: { _form: 'rsvps.closed.full' } };
        status = hasRoom ? 'going' : 'waitlisted';
      }
      const rsvp = await q.update(trx, existing.id, {
        name: input.name, role: input.role, note: input.note, locale: input.locale, status,
        ...(status !== existing.status ? { status_at: now } : {}), updated_at: now,
      });
      await q.queueMail(trx, rsvp.id, { kind: 'confirmation' });
      return { ok: true, rsvp, event, updated: true };
    }

    if (!hasRoom && !event.waitlist_enabled) return { ok: false, event, errors: { _form: 'rsvps.closed.full' } };
    const rsvp = await q.insertWithConfirmation(trx, {
      event_id: event.id, name: input.name, email: input.email, note: input.note, role: input.role,
      status: hasRoom ? 'going' : 'waitlisted', locale: input.locale, token: newToken(), now,
    });
    return { ok: true, rsvp, event, updated: false };
  });
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
