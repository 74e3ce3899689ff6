// Letter templates as the organiser's and the public pages show them (through the presenter).
import type { AppDeps } from '../deps';
import type { UserRow } from '../db/tables';
import { presentTemplate } from '../presenters/submissions';
import { campaignTemplates, publicTemplate, templateForEditing } from './letters';

export async function templatesPage(deps: AppDeps, user: UserRow | undefined, campaignId: number) {
  const { campaign, templates } = await campaignTemplates(deps, user, campaignId);
  return { campaign: { id: campaign.id, title: campaign.title }, templates: templates.map(presentTemplate) };
}

export async function templateEditPage(deps: AppDeps, user: UserRow | undefined, id: number) {
  const { template, campaign } = await templateForEditing(deps, user, id);
  return { campaign: { id: campaign.id, title: campaign.title }, template: presentTemplate(template) };
}

export async function publicTemplatePage(deps: AppDeps, id: number) {
  const { template, campaign } = await publicTemplate(deps, id);
  return { campaign: { title: campaign.title, slug: campaign.slug }, template: presentTemplate(template) };
}
