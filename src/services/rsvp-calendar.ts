// The one-event calendar attached to RSVP e-mails, built by the events feature's calendar builder.
// It carries the event, never the RSVP (no name, e-mail or manage token); the exact meeting point
// only for a recipient who may see it (a going attendee).
import type { EventRow } from '../db/tables';
import { eventsCalendar } from '../presenters/calendar';
import type { MailAttachment } from '../lib/mail';

export function eventCalendar(event: EventRow, options: { baseUrl: string; revealMeetingPoint: boolean }): MailAttachment {
  const shown = options.revealMeetingPoint ? { ...event, meeting_point_private: false } : event;
  return {
    filename: 'picket.ics',
    content: eventsCalendar([shown], { name: event.title, baseUrl: options.baseUrl }),
    contentType: 'text/calendar; charset=utf-8',
  };
}
