// Letter templates: a campaign's organiser writes them (one or more per language); anyone opens,
// fills in and prints them before the picket.
import type { AppDeps } from '../deps';
import type { CampaignRow, UserRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import * as letters from '../queries/letters';
import { authorize, campaign as policyCampaign } from '../policies';

export interface TemplateInput {
  language: string;
  title: string;
  body: string;
}

async function ownCampaign(deps: Pick<AppDeps, 'db'>, user: UserRow | undefined, campaignId: number): Promise<CampaignRow> {
  const campaign = await letters.findCampaign(deps.db, campaignId);
  if (!campaign) throw new NotFound();
  authorize(user, 'manage', policyCampaign(campaign));
  return campaign;
}

export async function campaignTemplates(deps: AppDeps, user: UserRow | undefined, campaignId: number) {
  const campaign = await ownCampaign(deps, user, campaignId);
  return { campaign, templates: await letters.listForCampaign(deps.db, campaign.id) };
}

export async function createTemplate(deps: AppDeps, user: UserRow | undefined, campaignId: number, input: TemplateInput) {
  const campaign = await ownCampaign(deps, user, campaignId);
  return letters.insert(deps.db, { campaign_id: campaign.id, ...input });
}

export async function templateForEditing(deps: AppDeps, user: UserRow | undefined, id: number) {
  const template = await letters.findById(deps.db, id);
  if (!template) throw new NotFound();
  const campaign = await ownCampaign(deps, user, template.campaign_id);
  return { template, campaign };
}

export async function updateTemplate(deps: AppDeps, user: UserRow | undefined, id: number, input: TemplateInput) {
  const { template } = await templateForEditing(deps, user, id);
  await letters.update(deps.db, template.id, input);
  return template;
}

export async function deleteTemplate(deps: AppDeps, user: UserRow | undefined, id: number) {
  const { template } = await templateForEditing(deps, user, id);
  await letters.remove(deps.db, template.id);
  return template;
}

/** The printable letter; templates of archived campaigns stay readable (letters are still posted). */
export async function publicTemplate(deps: AppDeps, id: number) {
  const template = await letters.findById(deps.db, id);
  if (!template) throw new NotFound();
  const campaign = await letters.findCampaign(deps.db, template.campaign_id);
  if (!campaign) throw new NotFound();
  return { template, campaign };
}

export function templatesOf(deps: Pick<AppDeps, 'db'>, campaignId: number) {
  return letters.listForCampaign(deps.db, campaignId);
}
