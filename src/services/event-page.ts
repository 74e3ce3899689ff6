// What the public event page shows beyond the event itself. RSVPs and media each add their part
// here, so the events route stays the one place that renders the page.
import type { Request } from 'express';
import type { AppDeps } from '../app';
import type { EventRow } from '../db/tables';
import type { FieldErrors } from '../lib/validation';
import { presentPublicCounts } from '../presenters/rsvps';
import * as q from '../queries/rsvps';
import { closedReason } from './rsvps';
import { mediaPageExtras } from './media-page';

/** The RSVP form's state (views/partials/event-rsvp.ejs): public counts only, never names. */
export async function rsvpFormState(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  event: EventRow,
  form: { values?: Record<string, unknown>; errors?: FieldErrors; formError?: string } = {},
) {
  const counts = presentPublicCounts(await q.counts(deps.db, event.id), event);
  const closed = closedReason(event, deps.clock.now());
  const full = counts.spotsLeft === 0;
  return {
    action: `/events/${event.id}/rsvp`,
    counts,
    closed,
    // Full with the waitlist off: the form is replaced by a message.
    full: full && !event.waitlist_enabled,
    waitlist: full && event.waitlist_enabled,
    headcountAllowed: event.headcount_only_allowed,
    meetingPointPrivate: event.meeting_point_private,
    approveAttendees: event.approve_attendees,
    retentionDays: deps.config.RSVP_RETENTION_DAYS,
    roles: ['attendee', 'steward', 'speaker'],
    values: form.values ?? {},
    errors: form.errors ?? {},
    formError: form.formError,
  };
}

export async function eventPageExtras(deps: AppDeps, event: EventRow, req: Request): Promise<Record<string, unknown>> {
  return { rsvp: await rsvpFormState(deps, event), ...(await mediaPageExtras(deps, event, req)) };
}
