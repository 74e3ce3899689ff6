// What the public event page shows beyond the event itself. RSVPs and media each add their part
// here, so the events route stays the one place that renders the page.
import type { Request } from 'express';
import type { AppDeps } from '../deps';
import type { EventRow } from '../db/tables';
import { renderMarkdown } from '../lib/markdown';
import type { FieldErrors } from '../lib/validation';
import { eventPath, presentCampaignLink, presentEventPage, publicPlace } from '../presenters/events';
import { presentPublicCounts } from '../presenters/rsvps';
import * as q from '../queries/rsvps';
import type { Organiser } from './events';
import { eventPage } from './public-events';
import { closedReason, rsvpState } from './rsvps';
import { mediaPageExtras } from './media-page';
import { RSVP_ROLES } from '../domain/enums';

/** The RSVP form's state (views/partials/event-rsvp.ejs): public counts only, never names. */
export async function rsvpFormState(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  event: EventRow,
  form: { values?: Record<string, unknown>; errors?: FieldErrors; formError?: string } = {},
) {
  const [counts, state] = await Promise.all([q.counts(deps.db, event.id), rsvpState(deps, event.id)]);
  return {
    action: `/events/${event.id}/rsvp`,
    counts: presentPublicCounts(counts, event),
    /** When the counts were read: the page says so, and its script fetches fresher ones. */
    countsAt: deps.clock.now(),
    countsUrl: `/events/${event.id}/counts.json`,
    /** rsvp_state's answer; the page cache keeps it to know when the form must change. */
    state,
    closed: closedReason(state),
    over: event.ends_at <= deps.clock.now(),
    // Full with the waitlist off: the form is replaced by a message.
    full: state === 'full',
    waitlist: state === 'waitlist',
    headcountAllowed: event.headcount_only_allowed,
    meetingPointPrivate: event.meeting_point_private,
    approveAttendees: event.approve_attendees,
    retentionDays: deps.config.RSVP_RETENTION_DAYS,
    roles: RSVP_ROLES,
    values: form.values ?? {},
    errors: form.errors ?? {},
    formError: form.formError,
  };
}

export async function eventPageExtras(deps: AppDeps, event: EventRow, req: Request): Promise<Record<string, unknown>> {
  return { rsvp: await rsvpFormState(deps, event), ...(await mediaPageExtras(deps, event, req)) };
}

/**
 * Everything the public page of a picket shows, each part through its presenter: the event without
 * its owner or a private meeting point, the public place, counts (never names), approved media.
 */
export async function publicEventPage(deps: AppDeps, id: number, viewer: Organiser | null, req: Request) {
  const page = await eventPage(deps, id, viewer);
  const extras = await eventPageExtras(deps, page.event, req);
  return {
    /** For the page cache's bookkeeping (what makes the page stale), never passed to the view. */
    row: page.event,
    event: presentEventPage(page.event),
    campaign: page.campaign ? presentCampaignLink(page.campaign) : null,
    demands: page.demands.map((d) => ({ id: d.id, kind: d.kind, text: d.text })),
    preview: page.preview,
    mayManage: page.mayManage,
    canonical: eventPath(page.event),
    place: publicPlace(page.event),
    descriptionHtml: renderMarkdown(page.event.description),
    ...extras,
  };
}
