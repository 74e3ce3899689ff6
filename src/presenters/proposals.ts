// What the campaign's organisers see of proposals and hosts (issue 17). The host's address is shown
// to them only: nothing here is used by a public page.
import type { EventRow, HostRow } from '../db/tables';
import { formatDateTime } from '../lib/time';
import type { BoardRow, QueuedProposal } from '../queries/proposals';

/** A waiting proposal as its campaign's organisers see it (the host's address is for them only). */
export function presentProposalForOrganiser(p: QueuedProposal, locale: string) {
  return {
    id: p.id, title: p.title, city: p.city, country: p.country, when: formatDateTime(p.starts_at, p.timezone, locale), timezone: p.timezone,
    hostId: p.host_id, hostName: p.host_name, hostEmail: p.host_email, trusted: p.host_trusted, revoked: Boolean(p.host_revoked_at),
    description: p.description, capacity: p.capacity, meetingPointPrivate: p.meeting_point_private,
  };
}

export function presentHostForOrganiser(h: HostRow & { pickets: string | number }) {
  return { id: h.id, name: h.name, email: h.email, trusted: h.trusted, revoked: Boolean(h.revoked_at), pickets: Number(h.pickets) };
}

export function presentBoardRow(b: BoardRow, locale: string) {
  return {
    city: b.city, country: b.country, title: b.title, when: formatDateTime(b.starts_at, b.timezone, locale), state: b.state,
    link: b.kind === 'proposal' ? `/organise/proposals/${b.id}` : `/organise/events/${b.id}`,
  };
}

/** A picket on its host's own page. */
export function presentHostPicket(e: EventRow, locale: string) {
  return { id: e.id, title: e.title, city: e.city, when: formatDateTime(e.starts_at, e.timezone, locale), status: e.status };
}
