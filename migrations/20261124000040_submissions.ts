import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('submissions', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['photo', 'letter']);
    // Random prefix of the stored files (display/thumb or the PDF); null for a typed letter
    // and once the files of a rejected submission are deleted.
    t.text('storage_key').unique();
    t.text('media_type').checkIn(['image', 'pdf']);
    t.text('mime');
    t.integer('width');
    t.integer('height');
    t.text('caption').notNullable().defaultTo('');
    t.text('submitter_name').notNullable().defaultTo('');
    t.text('letter_text').notNullable().defaultTo('');
    t.text('handin_status').checkIn(['delivered', 'refused', 'posted', 'emailed']);
    t.text('handin_to').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'approved', 'rejected']);
    t.text('rejection_reason').notNullable().defaultTo('');
    t.integer('moderated_by').references('users.id').onDelete('SET NULL');
    t.timestamp('moderated_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['event_id', 'status']);
  });

  // Files are written before their row exists; a claim marks them as "in flight" so the daily
  // cleanup can tell an upload in progress from the leftovers of a crash.
  await knex.schema.createTable('upload_claims', (t) => {
    t.text('storage_key').primary();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('letter_templates', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.text('language').notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable().defaultTo('');
    t.timestamps(true, true);
    t.index(['campaign_id', 'language']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('letter_templates');
  await knex.schema.dropTable('upload_claims');
  await knex.schema.dropTable('submissions');
}
