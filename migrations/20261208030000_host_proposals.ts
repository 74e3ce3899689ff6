// Local groups host pickets (issue 17): a campaign opens a call for proposals ("host a picket in
// your city"); a stranger proposes a picket, verifies their e-mail, and the campaign's organisers
// approve (it becomes a picket owned by the campaign, hosted by them) or decline it. Hosts sign in
// with single-use links; nothing of theirs but a hash of a token is kept for a link.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    // The organisers' switch: the public form "Host a picket in your city" is shown only while on.
    t.boolean('proposals_open').notNullable().defaultTo(false);
  });

  // One host per campaign and e-mail address: "trusted" and "revoked" are the campaign's word about them.
  await knex.schema.createTable('hosts', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.text('email').notNullable(); // private: never in a public page, feed or log
    t.text('name').notNullable();
    t.boolean('trusted').notNullable().defaultTo(false);
    t.timestamp('verified_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index hosts_campaign_email on hosts (campaign_id, lower(email))');

  await knex.schema.createTable('proposals', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('host_id').notNullable().references('hosts.id').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('proposed_unverified');
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.integer('venue_id').references('venues.id').onDelete('SET NULL');
    t.text('address').notNullable().defaultTo('');
    t.text('city').notNullable();
    t.string('country', 2).notNullable();
    t.double('latitude').notNullable();
    t.double('longitude').notNullable();
    t.text('timezone').notNullable();
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.integer('capacity');
    t.boolean('meeting_point_private').notNullable().defaultTo(false);
    t.text('meeting_point').notNullable().defaultTo('');
    t.text('locale').notNullable().defaultTo('en');
    // sha256 of the e-mailed verification secret; cleared once used.
    t.text('verify_token_hash').unique();
    t.timestamp('verified_at', { useTz: true });
    t.integer('event_id').references('events.id').onDelete('SET NULL');
    t.text('decline_message').notNullable().defaultTo('');
    t.integer('decided_by').references('users.id').onDelete('SET NULL');
    t.timestamp('decided_at', { useTz: true });
    // Set when the daily digest to the organisers has mentioned it.
    t.timestamp('digested_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("ends_at > starts_at", [], 'proposals_ends_after_start');
    t.check('latitude between -90 and 90 and longitude between -180 and 180', [], 'proposals_coordinates');
  });
  await knex.raw("alter table proposals add constraint proposals_status_check check (status in ('proposed_unverified', 'proposed', 'approved', 'declined'))");
  await knex.raw('create index proposals_campaign_status on proposals (campaign_id, status)');
  await knex.raw('create index proposals_host on proposals (host_id)');

  // The picket an approved proposal became is hosted by that host (owned by the campaign's organiser).
  await knex.schema.alterTable('events', (t) => {
    t.integer('host_id').references('hosts.id').onDelete('SET NULL');
  });
  await knex.raw('create index events_host on events (host_id) where host_id is not null');

  // Sign-in links of hosts: single use, expiring; only the hash of the secret is kept.
  await knex.schema.createTable('host_links', (t) => {
    t.increments('id');
    t.integer('host_id').notNullable().references('hosts.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('host_links');
  await knex.schema.alterTable('events', (t) => t.dropColumn('host_id'));
  await knex.schema.dropTable('proposals');
  await knex.schema.dropTable('hosts');
  await knex.schema.alterTable('campaigns', (t) => t.dropColumn('proposals_open'));
}
