// Campaigns with their demands and prisoner profiles: who may change what, and the public page.
import { LRUCache } from 'lru-cache';
import type { AppDeps } from '../deps';
import type { CampaignRow, EventRow, UserRow } from '../db/tables';
import { BadRequest, Forbidden, NotFound } from '../lib/errors';
import { slugify } from '../lib/slug';
import { eventsCalendar } from '../presenters/calendar';
import { presentOrganiserCampaign } from '../presenters/campaigns';
import { paging } from '../lib/paging';
import * as campaigns from '../queries/campaigns';
import * as submissions from '../queries/submissions';
import { isUniqueViolation } from '../db/errors';
import * as policy from '../policies';
import { authorize, ownerScope } from '../policies';

type Deps = Pick<AppDeps, 'db' | 'clock'>;
type Actor = Pick<UserRow, 'id' | 'role'>;

/** The campaign `id` if `user` may edit it: 404 when there is none, 403 when it is someone else's. */
export async function editableCampaign(deps: Deps, user: Actor, id: number): Promise<CampaignRow> {
  const campaign = Number.isInteger(id) ? await campaigns.findCampaign(deps.db, id) : undefined;
  if (!campaign) throw new NotFound();
  authorize(user, 'manage', policy.campaign(campaign));
  return campaign;
}

/** Campaigns on the organiser's dashboard: their own (an admin sees every campaign). */
/** The campaigns an organiser lists (dashboard, campaign list), through their presenter. */
export async function organiserCampaigns(deps: Deps, user: Actor) {
  return (await campaignsOf(deps, user)).map(presentOrganiserCampaign);
}

export function campaignsOf(deps: Deps, user: Actor): Promise<CampaignRow[]> {
  const ownerId = ownerScope(user);
  return campaigns.listCampaigns(deps.db, ownerId === null ? {} : { ownerId });
}

export interface CampaignForm {
  title: string;
  slug: string;
  description: string;
  target_country: string;
  slogans: string[];
  language: string;
  status: CampaignRow['status'];
}

async function freeSlug(deps: Deps, form: CampaignForm, exceptId?: number): Promise<string> {
  if (form.slug) {
    if (await campaigns.slugTaken(deps.db, form.slug, exceptId)) throw new BadRequest({ slug: 'errors.slugTaken' });
    return form.slug;
  }
  // Derived from the title: the first free one of base, base-2, base-3...
  const base = slugify(form.title) || 'campaign';
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await campaigns.slugTaken(deps.db, candidate, exceptId))) return candidate;
  }
}

function toRow(form: CampaignForm, slug: string): campaigns.CampaignInput {
  return {
    slug,
    title: form.title,
    description: form.description,
    target_country: form.target_country,
    slogans: form.slogans,
    language: form.language || null,
    status: form.status,
  };
}

/** Another organiser took the same address a moment ago: the same field message as the check gives. */
async function slugOrTaken<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (isUniqueViolation(error, 'campaigns_slug_unique')) throw new BadRequest({ slug: 'errors.slugTaken' });
    throw error;
  }
}

export async function createCampaign(deps: Deps, user: Actor, form: CampaignForm): Promise<CampaignRow> {
  // A slug derived from the title is chosen afresh when someone took it meanwhile; a typed one is the user's to change.
  for (let attempt = 1; ; attempt++) {
    const slug = await freeSlug(deps, form);
    try {
      return await slugOrTaken(() => campaigns.insertCampaign(deps.db, { ...toRow(form, slug), owner_id: user.id }));
    } catch (error) {
      if (form.slug || attempt >= 5 || !(error instanceof BadRequest)) throw error;
    }
  }
}

export async function updateCampaign(deps: Deps, user: Actor, id: number, form: CampaignForm): Promise<CampaignRow> {
  const campaign = await editableCampaign(deps, user, id);
  const slug = await freeSlug(deps, { ...form, slug: form.slug || campaign.slug }, campaign.id);
  return slugOrTaken(() => campaigns.updateCampaign(deps.db, campaign.id, toRow(form, slug)));
}

/** Everything the organiser's campaign page shows. */
export async function campaignWorkspace(deps: Deps, user: Actor, id: number) {
  const campaign = await editableCampaign(deps, user, id);
  const [demands, prisoners] = await Promise.all([campaigns.listDemands(deps.db, id), campaigns.listPrisoners(deps.db, id)]);
  return { campaign, demands, prisoners };
}

export interface DemandForm {
  kind: 'release' | 'drop_charges' | 'other';
  text: string;
  prisoner_id: number | null;
}

async function checkPrisoner(deps: Deps, campaignId: number, prisonerId: number | null): Promise<void> {
  if (prisonerId !== null && !(await campaigns.findPrisoner(deps.db, campaignId, prisonerId))) {
    throw new BadRequest({ prisoner_id: 'errors.prisonerUnknown' });
  }
}

export async function addDemand(deps: Deps, user: Actor, campaignId: number, form: DemandForm) {
  const campaign = await editableCampaign(deps, user, campaignId);
  await checkPrisoner(deps, campaign.id, form.prisoner_id);
  return campaigns.insertDemand(deps.db, campaign.id, form);
}

export async function demandOf(deps: Deps, user: Actor, campaignId: number, demandId: number) {
  const campaign = await editableCampaign(deps, user, campaignId);
  const demand = Number.isInteger(demandId) ? await campaigns.findDemand(deps.db, campaign.id, demandId) : undefined;
  if (!demand) throw new NotFound();
  return { campaign, demand, prisoners: await campaigns.listPrisoners(deps.db, campaign.id) };
}

export async function changeDemand(deps: Deps, user: Actor, campaignId: number, demandId: number, form: DemandForm) {
  const { campaign, demand } = await demandOf(deps, user, campaignId, demandId);
  await checkPrisoner(deps, campaign.id, form.prisoner_id);
  await campaigns.updateDemand(deps.db, campaign.id, demand.id, form);
}

export async function removeDemand(deps: Deps, user: Actor, campaignId: number, demandId: number) {
  const { campaign, demand } = await demandOf(deps, user, campaignId, demandId);
  await campaigns.deleteDemand(deps.db, campaign.id, demand.id);
}

export interface PrisonerForm {
  name: string;
  story: string;
  status: 'detained' | 'sentenced' | 'released';
  since: string | null;
  demand_ids: number[];
}

async function savePrisonerLinks(trx: AppDeps['db'], campaignId: number, prisonerId: number, demandIds: number[]) {
  const own = new Set((await campaigns.listDemands(trx, campaignId)).map((d) => d.id));
  if (demandIds.some((id) => !own.has(id))) throw new BadRequest({ demand_ids: 'errors.invalid' });
  await campaigns.linkDemands(trx, campaignId, prisonerId, demandIds);
}

export async function addPrisoner(deps: Deps, user: Actor, campaignId: number, form: PrisonerForm) {
  const campaign = await editableCampaign(deps, user, campaignId);
  const { demand_ids: demandIds, ...fields } = form;
  return deps.db.transaction(async (trx) => {
    const prisoner = await campaigns.insertPrisoner(trx, campaign.id, fields);
    await savePrisonerLinks(trx, campaign.id, prisoner.id, demandIds);
    return prisoner;
  });
}

export async function prisonerOf(deps: Deps, user: Actor, campaignId: number, prisonerId: number) {
  const campaign = await editableCampaign(deps, user, campaignId);
  const prisoner = Number.isInteger(prisonerId) ? await campaigns.findPrisoner(deps.db, campaign.id, prisonerId) : undefined;
  if (!prisoner) throw new NotFound();
  return { campaign, prisoner, demands: await campaigns.listDemands(deps.db, campaign.id) };
}

export async function changePrisoner(deps: Deps, user: Actor, campaignId: number, prisonerId: number, form: PrisonerForm) {
  const { campaign, prisoner } = await prisonerOf(deps, user, campaignId, prisonerId);
  const { demand_ids: demandIds, ...fields } = form;
  await deps.db.transaction(async (trx) => {
    await campaigns.updatePrisoner(trx, campaign.id, prisoner.id, fields);
    await savePrisonerLinks(trx, campaign.id, prisoner.id, demandIds);
  });
}

export async function removePrisoner(deps: Deps, user: Actor, campaignId: number, prisonerId: number) {
  const { campaign, prisoner } = await prisonerOf(deps, user, campaignId, prisonerId);
  await campaigns.deletePrisoner(deps.db, campaign.id, prisoner.id);
}

/** What the public campaign page needs; drafts are never part of it. */
export const CAMPAIGN_PICKETS_PER_PAGE = 100;

/** What the public campaign page needs (its pickets a page at a time); drafts are never part of it. */
export async function publicCampaign(deps: Deps, slug: string, picketsPage = 1) {
  const campaign = await campaigns.findCampaignBySlug(deps.db, slug);
  if (!campaign) throw new NotFound();
  const p = paging(picketsPage, await campaigns.countPublicCampaignEvents(deps.db, campaign.id), CAMPAIGN_PICKETS_PER_PAGE);
  const [demands, prisoners, counts, events, media, capitalsCovered] = await Promise.all([
    campaigns.listDemands(deps.db, campaign.id),
    campaigns.listPrisoners(deps.db, campaign.id),
    campaigns.picketsPerDemand(deps.db, campaign.id),
    campaigns.publicCampaignEventSummaries(deps.db, campaign.id, { limit: p.perPage, offset: p.offset }),
    submissions.approvedForCampaign(deps.db, campaign.id),
    campaigns.countriesCovered(deps.db, campaign.id),
  ]);
  const handins = await submissions.handinSummary(deps.db, events.map((e) => e.id));
  return { campaign, demands, prisoners, counts, events, media, handins, capitalsCovered, picketsPaging: p, now: deps.clock.now() };
}

/** Built calendars by campaign and version; the caller keeps one per app. */
export type CalendarCache = LRUCache<string, { key: string; text: Promise<string> }>;

/** The calendars of the 100 campaigns asked for most recently. */
export function calendarCache(): CalendarCache {
  return new LRUCache({ max: 100 });
}

/**
 * The campaign's public pickets as an iCalendar feed. Subscribed calendars poll it often and
 * building it for a thousand pickets is slow, so it is rebuilt only when a picket changes, and
 * requests arriving while it is being built wait for that one build.
 */
export async function campaignCalendar(deps: Deps, slug: string, baseUrl: string, cache?: CalendarCache): Promise<{ text: string; version: string }> {
  const campaign = await campaigns.findCampaignBySlug(deps.db, slug);
  if (!campaign) throw new NotFound();
  const version = `${campaign.id}-${campaign.updated_at.getTime()}-${await campaigns.publicEventsStamp(deps.db, campaign.id)}`;
  const hit = cache?.get(slug);
  if (hit && hit.key === version) return { text: await hit.text, version };
  const text = campaigns.publicCampaignEvents(deps.db, campaign.id)
    .then((events: EventRow[]) => eventsCalendar(events, { name: campaign.title, baseUrl }));
  if (cache) {
    cache.set(slug, { key: version, text });
    text.catch(() => {
      if (cache.get(slug)?.text === text) cache.delete(slug);
    });
  }
  return { text: await text, version };
}
