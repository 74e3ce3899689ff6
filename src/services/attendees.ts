// Attendee safety: organisers approve or decline requests on pickets that approve attendees,
// remove people, and block addresses per campaign. A blocked address is kept only as a keyed hash
// (HMAC with the instance's secret), so the block list outlives the RSVP's retention without the
// address. Blocked people's RSVPs are accepted on screen but never become a place, so they are
// never told the meeting point. Every decision holds the event's lock, like any RSVP.
import type { AppDeps } from '../deps';
import type { EventRow, RsvpRow } from '../db/tables';
import { BadRequest, Forbidden, NotFound } from '../lib/errors';
import { accountId, Actor } from '../policies';
import * as q from '../queries/rsvps';
import * as attendees from '../queries/attendees';
import { promoteWaitlisted } from './rsvps';
import { emailHash } from './block-list';
import { eventForOrganiser } from './organise-rsvps';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'sessionSecret'>;

export type Decision = 'approve' | 'decline' | 'remove' | 'block';

export interface DecisionResult {
  event: EventRow;
  approved: number;
  waitlisted: number;
  /** Requests left waiting because the picket is full and has no waitlist. */
  full: number;
  declined: number;
}

/** Approves requests (`ids`, or all when null), oldest first, into free places, then the waitlist. */
export async function approve(deps: Deps, user: Actor, eventId: number, ids: number[] | null): Promise<DecisionResult> {
  await eventForOrganiser(deps, user, eventId);
  return deps.db.transaction(async (trx) => {
    const event = (await q.lockEvent(trx, eventId))!;
    const now = deps.clock.now();
    const result: DecisionResult = { event, approved: 0, waitlisted: 0, full: 0, declined: 0 };
    const requests = await attendees.requested(trx, event.id, ids);
    if (ids && requests.length !== ids.length) throw new BadRequest({ _form: 'rsvps.decide.notRequested' });
    for (const rsvp of requests) {
      // Each approval asks rsvp_state (the one rule: only `going` holds a place, counted afresh), so
      // an approved request takes a place exactly as a new RSVP would, and a closed picket
      // (started or cancelled) takes nobody.
      const state = await q.state(trx, event.id, now);
      if (state === 'open') {
        await attendees.setStatus(trx, [rsvp.id], 'going', now);
        result.approved += 1;
      } else if (state === 'waitlist') {
        await attendees.setStatus(trx, [rsvp.id], 'waitlisted', now);
        result.waitlisted += 1;
      } else {
        result.full += 1;
        continue;
      }
      if (rsvp.email) await q.queueMail(trx, rsvp.id, { kind: 'confirmation' });
    }
    return result;
  });
}

/**
 * Declines a request, or removes someone from the picket (going or waitlisted): either way the
 * person is told neutrally, and a freed place goes to the waitlist. `block` also puts the
 * address on the campaign's block list and removes it from the campaign's other pickets.
 */
export async function decide(deps: Deps, user: Actor, eventId: number, rsvpId: number, decision: Exclude<Decision, 'approve'>): Promise<DecisionResult> {
  const owned = await eventForOrganiser(deps, user, eventId);
  // The block list is the campaign's: a host (who runs one picket of it) may remove someone, not block them campaign-wide.
  if (decision === 'block' && accountId(user) === null) throw new Forbidden();
  if (decision === 'block' && !owned.campaign_id) throw new BadRequest({ _form: 'rsvps.decide.noCampaign' });
  return deps.db.transaction(async (trx) => {
    const event = (await q.lockEvent(trx, eventId))!;
    const now = deps.clock.now();
    const rsvp = await attendees.findInEvent(trx, event.id, rsvpId);
    if (!rsvp) throw new NotFound();
    const result: DecisionResult = { event, approved: 0, waitlisted: 0, full: 0, declined: 0 };
    let affected: Pick<RsvpRow, 'id' | 'status'>[] = [rsvp];
    if (decision === 'block') {
      if (!rsvp.email) throw new BadRequest({ _form: 'rsvps.decide.noEmail' });
      const hash = emailHash(deps.sessionSecret, rsvp.email);
      await attendees.addBlock(trx, event.campaign_id!, hash, accountId(user)!, now);
      // The same person on the campaign's other pickets loses those places too (freed places there
      // go to their waitlists at the next change; this event's lock is the one held).
      const same = (await attendees.withEmailInCampaign(trx, event.campaign_id!)).filter((r) => emailHash(deps.sessionSecret, r.email!) === hash);
      await attendees.markBlocked(trx, same.map((r) => r.id));
      affected = same;
    } else if (decision === 'decline' ? rsvp.status !== 'requested' : !['going', 'waitlisted', 'requested'].includes(rsvp.status)) {
      throw new BadRequest({ _form: 'rsvps.decide.notRequested' });
    }
    for (const r of affected) {
      if (!['going', 'waitlisted', 'requested'].includes(r.status)) continue;
      await attendees.setStatus(trx, [r.id], 'declined', now);
      await q.queueMail(trx, r.id, { kind: 'declined' });
      result.declined += 1;
    }
    await promoteWaitlisted(trx, event.id, now);
    return result;
  });
}
