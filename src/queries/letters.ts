// Letter templates: per campaign and language, for participants to fill in and print.
import type { Knex } from 'knex';
import type { CampaignRow, LetterTemplateRow } from '../db/tables';

export function listForCampaign(db: Knex, campaignId: number): Promise<LetterTemplateRow[]> {
  return db<LetterTemplateRow>('letter_templates').where({ campaign_id: campaignId }).orderBy('language').orderBy('id');
}

export function findById(db: Knex, id: number): Promise<LetterTemplateRow | undefined> {
  return db<LetterTemplateRow>('letter_templates').where({ id }).first();
}

export async function insert(db: Knex, row: Pick<LetterTemplateRow, 'campaign_id' | 'language' | 'title' | 'body'>): Promise<LetterTemplateRow> {
  const [created] = await db<LetterTemplateRow>('letter_templates').insert(row).returning('*');
  return created;
}

export async function update(db: Knex, id: number, patch: Pick<LetterTemplateRow, 'language' | 'title' | 'body'>): Promise<void> {
  await db('letter_templates').where({ id }).update({ ...patch, updated_at: db.fn.now() });
}

export async function remove(db: Knex, id: number): Promise<void> {
  await db('letter_templates').where({ id }).delete();
}

export function findCampaign(db: Knex, id: number): Promise<CampaignRow | undefined> {
  return db<CampaignRow>('campaigns').where({ id }).first();
}
