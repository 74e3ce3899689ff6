import type { Knex } from 'knex';

// A version number of everything the map of pickets shows, so its feed can answer "not modified"
// with one tiny read. Every statement that writes to one of these tables adds one to a counter.
// The counter is split in rows by connection (backend pid), so concurrent writers (an RSVP burst)
// do not queue on one row; the version is the sum. Being transactional, a new version is seen
// only with the data that made it.
const TABLES = ['events', 'event_demands', 'demands', 'campaigns', 'rsvps', 'submissions'];
const SHARDS = 64;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('map_version', (t) => {
    t.integer('shard').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('map_version').insert(Array.from({ length: SHARDS }, (_, shard) => ({ shard })));
  await knex.raw(`
    create function map_version_bump() returns trigger language plpgsql as $$
    begin
      update map_version set version = version + 1 where shard = pg_backend_pid() % ${SHARDS};
      return null;
    end
    $$`);
  for (const table of TABLES) {
    await knex.raw(`create trigger ${table}_map_version after insert or update or delete or truncate on ${table}
      for each statement execute function map_version_bump()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw(`drop trigger if exists ${table}_map_version on ${table}`);
  await knex.raw('drop function if exists map_version_bump()');
  await knex.schema.dropTable('map_version');
}
