// Local groups host pickets (issue 17): a stranger proposes a picket through a campaign's open
// call, proves their address by a link, and the campaign's organisers approve it (it becomes a
// picket owned by the campaign, hosted by them) or decline it. Where and when a picket is follows
// the one rule of organisers' pickets (events.resolvePlaceAndTime); a proposal must be in the future.
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { CampaignRow, EventRow, HostRow, ProposalRow, UserRow } from '../db/tables';
import { Conflict, NotFound } from '../lib/errors';
import { sendTemplate } from '../lib/mail';
import { hashToken, newToken } from '../lib/tokens';
import { formatDateTime, instantToLocalInput } from '../lib/time';
import type { FieldErrors } from '../lib/validation';
import * as q from '../queries/proposals';
import * as campaignQueries from '../queries/campaigns';
import * as eventQueries from '../queries/events';
import * as users from '../queries/users';
import { authorize, campaign as policyCampaign, ownerScope } from '../policies';
import { EventForm, resolvePlaceAndTime, slugify } from './events';
import { signInLinkFor } from './hosts';
import { presentBoardRow, presentHostForOrganiser, presentProposalForOrganiser } from '../presenters/proposals';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'i18n'>;

/** What the proposal form sends (the event form's fields a host fills in), after the route's schema. */
export type ProposalForm = Pick<EventForm, 'title' | 'description' | 'venue_id' | 'address' | 'city' | 'country' | 'latitude'
  | 'longitude' | 'timezone' | 'starts_local' | 'ends_local' | 'capacity' | 'meeting_point_private' | 'meeting_point'>;

export interface HostDetails {
  host_name: string;
  host_email: string;
}

/** The campaign of an open call: 404 when there is no such campaign, or its call is closed. */
export async function openCall(deps: Pick<AppDeps, 'db'>, slug: string): Promise<CampaignRow> {
  const campaign = await campaignQueries.findCampaignBySlug(deps.db, slug);
  if (!campaign || campaign.status !== 'active' || !campaign.proposals_open) throw new NotFound();
  return campaign;
}

/** The campaign of a call, open or closed (hosts of a closed call still sign in): 404 when unknown or archived. */
export async function campaignOfCall(deps: Pick<AppDeps, 'db'>, slug: string): Promise<CampaignRow> {
  const campaign = await campaignQueries.findCampaignBySlug(deps.db, slug);
  if (!campaign || campaign.status !== 'active') throw new NotFound();
  return campaign;
}

/** The stored fields of a proposal form, or its field errors (past date, unknown venue, DST gap, ...). */
async function resolveProposal(deps: Deps, form: ProposalForm): Promise<
  { ok: true; input: Omit<q.ProposalInput, 'campaign_id' | 'host_id' | 'locale' | 'verify_token_hash'> } | { ok: false; errors: FieldErrors }
> {
  const { errors, place, zone, startsAt, endsAt } = await resolvePlaceAndTime(deps.db, form);
  if (startsAt && startsAt <= deps.clock.now()) errors.starts_local = 'proposals.errors.past';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    input: {
      title: form.title, description: form.description, venue_id: form.venue_id,
      address: place.address, city: place.city, country: place.country, latitude: place.latitude!, longitude: place.longitude!,
      timezone: zone, starts_at: startsAt!, ends_at: endsAt!, capacity: form.capacity,
      meeting_point_private: form.meeting_point_private, meeting_point: form.meeting_point,
    },
  };
}

export type ProposeResult = { ok: true } | { ok: false; errors: FieldErrors };

/**
 * A proposal from the public form. Nobody sees it until its host follows the link e-mailed to
 * them. A revoked host is answered exactly like anyone else, and nothing is stored or sent.
 */
export async function propose(deps: Deps, slug: string, form: ProposalForm & HostDetails, locale: string): Promise<ProposeResult> {
  const campaign = await openCall(deps, slug);
  const resolved = await resolveProposal(deps, form);
  if (!resolved.ok) return resolved;
  await deps.db.transaction(async (trx) => {
    const known = await q.findHostByEmail(trx, campaign.id, form.host_email);
    if (known?.revoked_at) return;
    const host = await q.upsertHost(trx, campaign.id, form.host_email, form.host_name);
    const token = newToken();
    const proposal = await q.insertProposal(trx, {
      ...resolved.input, campaign_id: campaign.id, host_id: host.id, locale, verify_token_hash: hashToken(token), status: 'proposed_unverified',
    });
    await sendTemplate(trx, deps, {
      to: host.email, template: 'proposal-verify', locale,
      data: {
        name: host.name, campaign: campaign.title, title: proposal.title, city: proposal.city,
        when: formatDateTime(proposal.starts_at, proposal.timezone, locale),
        link: `${deps.config.BASE_URL}/proposals/verify/${token}`, days: deps.config.PROPOSAL_RETENTION_DAYS,
      },
    });
  });
  return { ok: true };
}

export type VerifyResult = { state: 'gone' } | { state: 'queued' | 'published'; campaign: CampaignRow; eventId?: number };

/** Whether a verification link still works (the page with its button; the button does the work). */
export async function verifyLinkWorks(deps: Pick<AppDeps, 'db'>, token: string): Promise<boolean> {
  const row = await deps.db<ProposalRow>('proposals').where({ verify_token_hash: hashToken(token), status: 'proposed_unverified' }).first('id');
  return Boolean(row);
}

/**
 * The host followed the link: the proposal joins the organisers' queue (and they hear of it), or,
 * from a host the campaign trusts, is published at once. The link works once.
 */
export async function verify(deps: Deps, token: string): Promise<VerifyResult> {
  return deps.db.transaction(async (trx) => {
    const proposal = await q.findByVerifyHash(trx, hashToken(token));
    if (!proposal || proposal.status !== 'proposed_unverified') return { state: 'gone' } as const;
    const now = deps.clock.now();
    const host = await q.findHost(trx, proposal.host_id);
    const campaign = await campaignQueries.findCampaign(trx, proposal.campaign_id);
    if (!host || host.revoked_at || !campaign) return { state: 'gone' } as const;
    if (!host.verified_at) await q.updateHost(trx, host.id, { verified_at: now });
    const verified = await q.updateProposal(trx, proposal.id, { status: 'proposed', verified_at: now, verify_token_hash: null });
    // A trusted host's proposal is published at once, unless its time passed while it waited for confirmation.
    if (host.trusted && verified.starts_at > now) {
      const event = await publish(trx, deps, verified, host, campaign, null);
      return { state: 'published', campaign, eventId: event.id } as const;
    }
    const owner = await users.findById(trx, campaign.owner_id);
    if (owner && !owner.disabled_at) {
      await sendTemplate(trx, deps, {
        to: owner.email, template: 'proposal-new', locale: owner.locale ?? deps.config.DEFAULT_LOCALE,
        data: {
          campaign: campaign.title, title: verified.title, city: verified.city, host: host.name,
          when: formatDateTime(verified.starts_at, verified.timezone, owner.locale ?? deps.config.DEFAULT_LOCALE),
          link: `${deps.config.BASE_URL}/organise/proposals/${verified.id}`,
        },
      });
    }
    return { state: 'queued', campaign } as const;
  });
}

/** The picket an approved proposal becomes: published, owned by the campaign's organiser, run by its host. */
async function publish(
  trx: Knex.Transaction, deps: Deps, proposal: ProposalRow, host: HostRow, campaign: CampaignRow, by: number | null,
): Promise<EventRow> {
  const now = deps.clock.now();
  const event = await eventQueries.insertEvent(trx, {
    campaign_id: campaign.id, owner_id: campaign.owner_id, host_id: host.id, kind: 'picket', title: proposal.title,
    slug: slugify(proposal.title), description: proposal.description, language: null, venue_id: proposal.venue_id,
    address: proposal.address, city: proposal.city, country: proposal.country, latitude: proposal.latitude, longitude: proposal.longitude,
    meeting_point_private: proposal.meeting_point_private, meeting_point: proposal.meeting_point,
    starts_at: proposal.starts_at, ends_at: proposal.ends_at, timezone: proposal.timezone, capacity: proposal.capacity,
    waitlist_enabled: true, approve_attendees: false, headcount_only_allowed: false, status: 'published', published_at: now,
    action_status: 'planned', contact_text: '', legal_support: '', attendance_count: null,
  });
  // A day-of-action picket raises the campaign's demands.
  const demands = await campaignQueries.listDemands(trx, campaign.id);
  await eventQueries.setEventDemands(trx, event.id, demands.map((d) => d.id));
  await q.updateProposal(trx, proposal.id, { status: 'approved', event_id: event.id, decided_by: by, decided_at: now });
  const link = await signInLinkFor(trx, deps, host.id);
  await sendTemplate(trx, deps, {
    to: host.email, template: 'proposal-approved', locale: proposal.locale,
    data: {
      name: host.name, campaign: campaign.title, title: event.title, eventLink: `${deps.config.BASE_URL}/events/${event.id}`,
      link, minutes: deps.config.HOST_LINK_TTL_MINUTES, signInPage: `${deps.config.BASE_URL}/campaigns/${encodeURIComponent(campaign.slug)}/host/sign-in`,
    },
  });
  return event;
}

type Organiser = Pick<UserRow, 'id' | 'role'>;

/** A proposal the organiser may decide on: 404 unknown (or not yet verified: nobody sees those), 403 another campaign's. */
export async function proposalFor(deps: Pick<AppDeps, 'db'>, user: Organiser, id: number) {
  const proposal = Number.isSafeInteger(id) ? await q.findProposal(deps.db, id) : undefined;
  if (!proposal || proposal.status === 'proposed_unverified') throw new NotFound();
  const campaign = await campaignQueries.findCampaign(deps.db, proposal.campaign_id);
  if (!campaign) throw new NotFound();
  authorize(user, 'manage', policyCampaign(campaign));
  const host = (await q.findHost(deps.db, proposal.host_id))!;
  return { proposal, campaign, host };
}

/** Locks the proposal, checks the organiser may decide it and that it is still waiting. */
async function decide<T>(deps: Deps, user: Organiser, id: number, fn: (trx: Knex.Transaction, p: ProposalRow, c: CampaignRow, h: HostRow) => Promise<T>): Promise<T> {
  await proposalFor(deps, user, id);
  return deps.db.transaction(async (trx) => {
    const proposal = (await q.findProposalForUpdate(trx, id))!;
    if (proposal.status !== 'proposed') throw new Conflict('proposals.errors.decided');
    const campaign = (await campaignQueries.findCampaign(trx, proposal.campaign_id))!;
    const host = (await q.findHost(trx, proposal.host_id))!;
    return fn(trx, proposal, campaign, host);
  });
}

export function approve(deps: Deps, user: Organiser, id: number): Promise<EventRow> {
  return decide(deps, user, id, (trx, proposal, campaign, host) => {
    if (host.revoked_at) throw new Conflict('proposals.errors.revoked');
    // A proposal that waited past its own start is corrected (edited) first, or declined.
    if (proposal.starts_at <= deps.clock.now()) throw new Conflict('proposals.errors.past');
    return publish(trx, deps, proposal, host, campaign, user.id);
  });
}

/** Declined with a message, which the host receives by e-mail; the proposal is erased after the retention period. */
export function decline(deps: Deps, user: Organiser, id: number, message: string): Promise<ProposalRow> {
  return decide(deps, user, id, async (trx, proposal, campaign, host) => {
    const row = await q.updateProposal(trx, proposal.id, { status: 'declined', decline_message: message, decided_by: user.id, decided_at: deps.clock.now() });
    await sendTemplate(trx, deps, {
      to: host.email, template: 'proposal-declined', locale: proposal.locale,
      data: { name: host.name, campaign: campaign.title, title: proposal.title, message },
    });
    return row;
  });
}

/** The organiser edits a waiting proposal before deciding (same rules as the public form). */
export async function editProposal(deps: Deps, user: Organiser, id: number, form: ProposalForm): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  await proposalFor(deps, user, id);
  const resolved = await resolveProposal(deps, form);
  if (!resolved.ok) return resolved;
  await decide(deps, user, id, (trx, proposal) => q.updateProposal(trx, proposal.id, resolved.input));
  return { ok: true };
}

/** The form's values for a stored proposal. */
export function proposalValues(p: ProposalRow): Record<string, unknown> {
  return {
    title: p.title, description: p.description, venue_id: p.venue_id ?? '', address: p.address, city: p.city, country: p.country,
    latitude: p.latitude, longitude: p.longitude, timezone: p.timezone, capacity: p.capacity ?? '',
    starts_local: instantToLocalInput(p.starts_at, p.timezone), ends_local: instantToLocalInput(p.ends_at, p.timezone),
    meeting_point_private: p.meeting_point_private, meeting_point: p.meeting_point,
  };
}

/** The organiser's queue: verified proposals waiting for a decision in their campaigns (all for an admin). */
export function waitingProposals(deps: Pick<AppDeps, 'db'>, user: UserRow, campaignId?: number) {
  return q.proposalsFor(deps.db, { ownerId: ownerScope(user), campaignId, statuses: ['proposed'] });
}

/** The organisers' switch of a campaign's call for proposals. */
export async function setCallOpen(deps: Pick<AppDeps, 'db'>, user: Organiser, campaignId: number, open: boolean): Promise<CampaignRow> {
  const campaign = Number.isSafeInteger(campaignId) ? await campaignQueries.findCampaign(deps.db, campaignId) : undefined;
  if (!campaign) throw new NotFound();
  authorize(user, 'manage', policyCampaign(campaign));
  await q.setProposalsOpen(deps.db, campaign.id, open);
  return campaign;
}

/**
 * The organiser's proposals page: waiting proposals (the queue), their campaigns' calls, the
 * hosts of each, and the day-of-action board as organisers see it (proposed ones too).
 */
export async function proposalsPage(deps: Pick<AppDeps, 'db'>, user: UserRow, locale: string) {
  const scope = ownerScope(user);
  const [waiting, calls] = await Promise.all([q.proposalsFor(deps.db, { ownerId: scope, statuses: ['proposed'] }), q.campaignsForCalls(deps.db, scope)]);
  const hostLists = await Promise.all(calls.map((c) => q.hostsOfCampaign(deps.db, c.id)));
  const board = await q.organiserBoard(deps.db, calls.map((c) => c.id));
  return {
    waiting: waiting.map((p) => presentProposalForOrganiser(p, locale)),
    calls: calls.map((c, i) => ({
      id: c.id, title: c.title, slug: c.slug, open: c.proposals_open,
      hosts: hostLists[i].map(presentHostForOrganiser),
      board: board.filter((b) => b.campaign_id === c.id).map((b) => presentBoardRow(b, locale)),
      capitals: new Set(board.filter((b) => b.campaign_id === c.id && b.state !== 'proposed').map((b) => b.country)).size,
    })),
  };
}
