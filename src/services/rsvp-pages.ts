// The RSVP pages as they are shown: the form, the thank-you page, the manage link and its dead ends.
// Each goes through the RSVP presenters, so the exact meeting point appears only where it may.
import type { AppDeps } from '../deps';
import type { EventRow, RsvpRow } from '../db/tables';
import type { FieldErrors } from '../lib/validation';
import { presentEventForRsvp, presentOwnRsvp, RsvpEventView } from '../presenters/rsvps';
import { mayKnowMeetingPoint, shownStatus } from './block-list';
import { rsvpFormState } from './event-page';

/** The RSVP form on its own page (no JavaScript, or a form with errors). */
export async function rsvpFormPage(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, event: EventRow, locale: string,
  form: { values?: Record<string, unknown>; errors?: FieldErrors; formError?: string },
) {
  return { rsvp: await rsvpFormState(deps, event, form), eventView: presentEventForRsvp(event, locale, false) };
}

/** The event as a public RSVP page names it: never the private meeting point. */
export function rsvpEventView(event: EventRow, locale: string): RsvpEventView {
  return presentEventForRsvp(event, locale, false);
}

/** A dead manage link still leads back to its event, unless that is a draft again. */
export function goneEventView(event: EventRow | undefined, locale: string): RsvpEventView | null {
  return event && event.status !== 'draft' ? presentEventForRsvp(event, locale, false) : null;
}

/**
 * The manage page: the person's own RSVP (a blocked person sees what anyone else would) and the
 * event (the exact place only once they hold a place and are not blocked).
 */
export function managePage(_deps: Pick<AppDeps, 'clock'>, rsvp: RsvpRow, event: EventRow, locale: string) {
  return {
    own: { ...presentOwnRsvp(rsvp), status: shownStatus(rsvp, event) },
    eventView: presentEventForRsvp(event, locale, mayKnowMeetingPoint(rsvp)),
  };
}
