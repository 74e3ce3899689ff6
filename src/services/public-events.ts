// What visitors see of pickets: the event page, the front page, past pickets, the JSON API and the
// iCalendar file. Drafts never appear here (except to their own organiser, as a preview).
import type { AppDeps } from '../deps';
import type { DemandRow, EventRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { eventsCalendar } from '../presenters/calendar';
import { apiEvent, ApiEvent, presentCampaignLink, presentEventCard } from '../presenters/events';
import * as q from '../queries/events';
import type { Organiser } from './events';
import { can, picket } from '../policies';

export interface EventPage {
  event: EventRow;
  campaign: q.CampaignSummary | null;
  demands: DemandRow[];
  /** The viewer is the organiser (or an admin) and sees a draft as a preview. */
  preview: boolean;
  /** The viewer may manage this picket (a link to the organiser's page). */
  mayManage: boolean;
}

/** A picket's public page; a draft is "not found" for anyone but its organiser and admins. */
export async function eventPage(deps: Pick<AppDeps, 'db'>, id: number, viewer: Organiser | null): Promise<EventPage> {
  const found = await q.findEventWithDetails(deps.db, id);
  if (!found) throw new NotFound();
  const preview = found.event.status === 'draft';
  // Whoever may not see a draft is told it does not exist.
  if (!can(viewer, 'view', picket(found.event))) throw new NotFound();
  return { ...found, preview, mayManage: can(viewer, 'manage', picket(found.event)) };
}

/** The campaign of each picket in a list, by campaign id, as a card names it. */
async function campaignLinks(deps: Pick<AppDeps, 'db'>, events: EventRow[]) {
  const summaries = await q.campaignSummaries(deps.db, events.flatMap((e) => e.campaign_id ?? []));
  return new Map([...summaries].map(([id, campaign]) => [id, presentCampaignLink(campaign)]));
}

export async function homePage(deps: Pick<AppDeps, 'db' | 'clock'>) {
  const [events, campaigns] = await Promise.all([
    q.upcomingEvents(deps.db, deps.clock.now(), 30),
    q.activeCampaigns(deps.db),
  ]);
  return {
    events: events.map(presentEventCard),
    campaigns: campaigns.map(presentCampaignLink),
    campaignOf: await campaignLinks(deps, events),
  };
}

export const PAST_PER_PAGE = 30;

export async function pastPage(deps: Pick<AppDeps, 'db' | 'clock'>, page: number) {
  const now = deps.clock.now();
  const [events, total] = await Promise.all([
    q.pastEvents(deps.db, now, PAST_PER_PAGE, (page - 1) * PAST_PER_PAGE),
    q.countPastEvents(deps.db, now),
  ]);
  return { events: events.map(presentEventCard), total, page, pages: Math.max(1, Math.ceil(total / PAST_PER_PAGE)),
    campaignOf: await campaignLinks(deps, events) };
}

export interface ApiQuery extends q.EventFilter {
  page: number;
  perPage: number;
}

export async function apiEvents(deps: Pick<AppDeps, 'db' | 'config'>, query: ApiQuery): Promise<{ events: ApiEvent[]; total: number }> {
  const { rows, total } = await q.listPublicEvents(deps.db, query, { limit: query.perPage, offset: (query.page - 1) * query.perPage });
  const [campaigns, demands] = await Promise.all([
    q.campaignSummaries(deps.db, rows.flatMap((e) => e.campaign_id ?? [])),
    q.demandsOfEvents(deps.db, rows.map((e) => e.id)),
  ]);
  const events = rows.map((event) => {
    const campaign = event.campaign_id ? campaigns.get(event.campaign_id) : undefined;
    return apiEvent(event, {
      baseUrl: deps.config.BASE_URL,
      campaign: campaign ? { slug: campaign.slug, title: campaign.title } : null,
      demands: demands.get(event.id) ?? [],
    });
  });
  return { events, total };
}

/** One public event as iCalendar (drafts are not found). */
export async function eventIcs(deps: Pick<AppDeps, 'db' | 'config'>, id: number): Promise<{ event: EventRow; ics: string }> {
  const event = await q.findEvent(deps.db, id);
  if (!event || !can(null, 'view', picket(event))) throw new NotFound();
  return { event, ics: eventsCalendar([event], { name: event.title, baseUrl: deps.config.BASE_URL }) };
}
