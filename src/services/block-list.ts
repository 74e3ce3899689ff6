// The block list and what a person may be told: shared by RSVPs, their e-mails and pages, and
// the organisers' decisions. An address is kept only as a keyed hash (HMAC with the instance's
// secret), so the list outlives the RSVP's retention without the address itself.
import crypto from 'node:crypto';
import type { AppDeps } from '../deps';
import type { EventRow, RsvpRow } from '../db/tables';
import * as attendees from '../queries/attendees';

/** The keyed hash that stands for an address on a block list. */
export function emailHash(secret: string, email: string): string {
  return crypto.createHmac('sha256', secret).update(`block-list:${email.trim().toLowerCase()}`).digest('hex');
}

export function isBlocked(deps: Pick<AppDeps, 'db' | 'sessionSecret'>, eventId: number, email: string): Promise<boolean> {
  return attendees.isBlockedFor(deps.db, eventId, emailHash(deps.sessionSecret, email));
}

/** Whether this person may be told the exact meeting point (and sent it in a calendar file). */
export function mayKnowMeetingPoint(rsvp: Pick<RsvpRow, 'status' | 'blocked'>): boolean {
  return rsvp.status === 'going' && !rsvp.blocked;
}

/** The status a person is shown: a blocked request looks like what anyone else would have had. */
export function shownStatus(rsvp: Pick<RsvpRow, 'status' | 'blocked'>, event: Pick<EventRow, 'approve_attendees'>): RsvpRow['status'] {
  if (rsvp.blocked && rsvp.status === 'requested' && !event.approve_attendees) return 'going';
  return rsvp.status;
}

