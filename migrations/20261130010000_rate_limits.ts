import type { Knex } from 'knex';

// Rate-limit counters shared by every app process (log-in, password reset, RSVP, upload). The table
// has the shape rate-limiter-flexible's PostgreSQL store expects (it is told not to create it at run
// time): one row per key, the points used and when the window ends (milliseconds since 1970).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
}
