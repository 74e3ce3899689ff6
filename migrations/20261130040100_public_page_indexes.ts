import type { Knex } from 'knex';

// Indexes the public pages and the moderation queue need, found by reading their queries with
// EXPLAIN on 10,000 pickets (bench/day/explain.ts prints the plans):
// - the campaign page reads its demands and prisoners by campaign, in order, and its pickets by
//   campaign in start order;
// - the front page reads upcoming pickets by status and end time ("not ended yet");
// - the moderation queue reads pending uploads oldest first (a small part of all submissions).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index demands_campaign_position on demands (campaign_id, position, id)');
  await knex.raw('create index prisoners_campaign on prisoners (campaign_id, id)');
  await knex.raw('create index events_campaign_starts on events (campaign_id, starts_at, id)');
  await knex.raw('create index events_status_ends on events (status, ends_at)');
  await knex.raw("create index submissions_pending on submissions (created_at, id) where status = 'pending'");
}

export async function down(knex: Knex): Promise<void> {
  for (const name of ['demands_campaign_position', 'prisoners_campaign', 'events_campaign_starts', 'events_status_ends', 'submissions_pending']) {
    await knex.raw(`drop index if exists ${name}`);
  }
}
