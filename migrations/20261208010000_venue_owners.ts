// Places an organiser adds for their own pickets (a square, a street corner, an embassy missing
// from the directory). owner_id null: the shared directory kept by admins, as before. A name is
// unique per city among the shared places, and per owner among someone's own places, so one
// organiser's "Town square" neither blocks nor reveals another's.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('venues', (t) => {
    // Their places go with the account; pickets keep their copied address (venue_id is SET NULL).
    t.integer('owner_id').references('users.id').onDelete('CASCADE');
    t.dropUnique(['name', 'city', 'country']);
  });
  await knex.raw(`create unique index venues_name_city_country_unique on venues (name, city, country) where owner_id is null`);
  await knex.raw(`create unique index venues_owner_name_city_country_unique on venues (owner_id, name, city, country) where owner_id is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index venues_owner_name_city_country_unique');
  await knex.raw('drop index venues_name_city_country_unique');
  await knex('venues').whereNotNull('owner_id').delete();
  await knex.schema.alterTable('venues', (t) => {
    t.dropColumn('owner_id');
    t.unique(['name', 'city', 'country']);
  });
}
