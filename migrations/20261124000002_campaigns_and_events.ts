import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('venues', (t) => {
    t.increments('id');
    t.text('kind').notNullable().defaultTo('embassy').checkIn(['embassy', 'consulate', 'square', 'other']);
    t.text('name').notNullable();
    t.text('address').notNullable().defaultTo('');
    t.text('city').notNullable();
    t.specificType('country', 'char(2)').notNullable(); // ISO 3166-1 alpha-2 of where it stands
    t.specificType('represents', 'char(2)'); // for embassies: the country it represents
    t.double('latitude').notNullable();
    t.double('longitude').notNullable();
    t.text('timezone').notNullable();
    t.timestamps(true, true);
    t.unique(['name', 'city', 'country']);
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.increments('id');
    t.text('slug').notNullable().unique();
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.specificType('target_country', 'char(2)').notNullable();
    t.specificType('slogans', 'text[]').notNullable().defaultTo('{}');
    t.text('language'); // language of the organiser's text, for lang=""
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'archived']);
    t.integer('owner_id').notNullable().references('users.id');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('prisoners', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('story').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('detained').checkIn(['detained', 'sentenced', 'released']);
    t.date('since');
    t.text('portrait_key'); // storage key prefix of the processed portrait (media issue)
    t.timestamps(true, true);
  });

  await knex.schema.createTable('demands', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['release', 'drop_charges', 'other']);
    t.text('text').notNullable();
    t.integer('prisoner_id').references('prisoners.id').onDelete('SET NULL');
    t.integer('position').notNullable().defaultTo(0);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('events', (t) => {
    t.increments('id');
    t.integer('campaign_id').references('campaigns.id').onDelete('SET NULL');
    t.integer('owner_id').notNullable().references('users.id');
    t.text('kind').notNullable().defaultTo('picket')
      .checkIn(['picket', 'demonstration', 'vigil', 'leafleting', 'meeting', 'other']);
    t.text('title').notNullable();
    t.text('slug').notNullable();
    t.text('description').notNullable().defaultTo(''); // Markdown, rendered sanitised
    t.text('language');
    t.integer('venue_id').references('venues.id').onDelete('SET NULL');
    t.text('address').notNullable().defaultTo('');
    t.text('city').notNullable();
    t.specificType('country', 'char(2)').notNullable();
    t.double('latitude').notNullable();
    t.double('longitude').notNullable();
    // When private, the public sees only the city and a rounded point; going RSVPs get the rest.
    t.boolean('meeting_point_private').notNullable().defaultTo(false);
    t.text('meeting_point').notNullable().defaultTo('');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.text('timezone').notNullable();
    t.integer('capacity');
    t.boolean('waitlist_enabled').notNullable().defaultTo(true);
    t.boolean('headcount_only_allowed').notNullable().defaultTo(false);
    t.text('status').notNullable().defaultTo('draft').checkIn(['draft', 'published', 'cancelled']);
    t.text('action_status').notNullable().defaultTo('planned')
      .checkIn(['planned', 'confirmed', 'happened', 'letter_delivered', 'letter_refused']);
    t.text('contact_text').notNullable().defaultTo('');
    t.integer('attendance_count'); // people who came, entered by the organiser afterwards
    t.timestamp('published_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['status', 'starts_at']);
    t.index(['campaign_id']);
    t.index(['owner_id']);
    t.index(['longitude', 'latitude']);
  });
  await knex.raw('alter table events add constraint events_ends_after_starts check (ends_at > starts_at)');
  await knex.raw('alter table events add constraint events_latitude check (latitude between -90 and 90)');
  await knex.raw('alter table events add constraint events_longitude check (longitude between -180 and 180)');

  await knex.schema.createTable('event_demands', (t) => {
    t.integer('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.integer('demand_id').notNullable().references('demands.id').onDelete('CASCADE');
    t.primary(['event_id', 'demand_id']);
    t.index(['demand_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['event_demands', 'events', 'demands', 'prisoners', 'campaigns', 'venues']) {
    await knex.schema.dropTable(table);
  }
}
