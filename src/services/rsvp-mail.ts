// Delivers the e-mails of the RSVP feature. Transactions queue a small `rsvp_mail` job (an RSVP id
// and a kind); this renders it when the job runs, in the RSVP's language and the event's time zone,
// from the state at that moment (someone who cancelled in between gets no reminder).
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import type { Localisation } from '../lib/i18n';
import type { Mailer, MailAttachment } from '../lib/mail';
import { renderMail } from '../lib/mail';
import { presentEventForRsvp, whenLabel } from '../presenters/rsvps';
import * as q from '../queries/rsvps';
import { eventCalendar } from './rsvp-calendar';
import { mayKnowMeetingPoint, shownStatus } from './block-list';

export interface RsvpMailDeps {
  db: Knex;
  config: Pick<Config, 'BASE_URL'>;
  mailer: Mailer;
  clock: Clock;
  i18n: Localisation;
}

export type RsvpMailPayload =
  | { rsvpId: number; kind: 'confirmation' | 'promoted' | 'event-cancelled' | 'declined' | 'already' }
  | { rsvpId: number; kind: 'reminder'; hours: number }
  | { rsvpId: number; kind: 'changed'; changed: ('time' | 'place')[]; before: { startsAt: string; timezone: string; place: string } }
  | { rsvpId: number; kind: 'message'; messageId: number };

export async function deliverRsvpMail(deps: RsvpMailDeps, payload: RsvpMailPayload): Promise<void> {
  const rsvp = await q.findById(deps.db, payload.rsvpId);
  if (!rsvp || !rsvp.email || rsvp.erased_at) return;
  const event = await q.findEvent(deps.db, rsvp.event_id);
  if (!event) return;
  // Only approved people with a place, never a blocked address, learn the meeting point.
  const going = mayKnowMeetingPoint(rsvp);
  const shown = shownStatus(rsvp, event);
  const base = deps.config.BASE_URL;
  const data: Record<string, unknown> = {
    name: rsvp.name ?? '',
    role: rsvp.role,
    status: shown,
    event: presentEventForRsvp(event, rsvp.locale, going),
    eventLink: `${base}/events/${event.id}`,
    manageLink: `${base}/rsvp/${rsvp.token}`,
  };
  const calendar = (): MailAttachment[] => [eventCalendar(event, { baseUrl: base, revealMeetingPoint: going })];
  let template: string;
  let attachments: MailAttachment[] | undefined;

  switch (payload.kind) {
    case 'confirmation':
      if (rsvp.status === 'cancelled' || rsvp.status === 'declined') return;
      template = shown === 'going' ? 'rsvp-confirmation' : shown === 'requested' ? 'rsvp-requested' : 'rsvp-waitlisted';
      attachments = shown === 'going' ? calendar() : undefined;
      break;
    case 'declined':
      if (rsvp.status !== 'declined') return;
      template = 'rsvp-declined';
      break;
    case 'promoted':
      if (!going) return;
      template = 'rsvp-promoted';
      attachments = calendar();
      break;
    case 'reminder':
      if (!going || event.status !== 'published' || event.starts_at <= deps.clock.now()) return;
      template = 'rsvp-reminder';
      data.hours = payload.hours;
      break;
    case 'changed':
      if (rsvp.status === 'cancelled' || event.status !== 'published') return;
      template = 'rsvp-changed';
      data.changed = payload.changed;
      data.before = {
        when: whenLabel(new Date(payload.before.startsAt), payload.before.timezone, rsvp.locale),
        place: payload.before.place,
      };
      attachments = going ? calendar() : undefined;
      break;
    case 'already':
      // Someone RSVPed again with this address: nothing changed; the owner gets their link.
      template = 'rsvp-already';
      break;
    case 'event-cancelled':
      if (rsvp.status === 'cancelled' || rsvp.status === 'declined') return;
      template = 'rsvp-event-cancelled';
      break;
    case 'message': {
      const message = await q.findMessage(deps.db, payload.messageId);
      if (!going || !message) return;
      template = 'rsvp-message';
      data.message = { subject: message.subject, body: message.body };
      break;
    }
    default:
      return;
  }
  const rendered = await renderMail(deps, template, rsvp.locale, data);
  await deps.mailer.send({ to: rsvp.email, ...rendered, attachments });
}
