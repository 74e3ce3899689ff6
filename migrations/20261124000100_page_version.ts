import type { Knex } from 'knex';

// The public page cache (src/lib/page-cache.ts) uses the map's version counter too; public pages
// also show prisoner profiles and letter templates, so writes to those bump it as well.
const TABLES = ['prisoners', 'letter_templates', 'venues'];

export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.raw(`create trigger ${table}_map_version after insert or update or delete or truncate on ${table}
      for each statement execute function map_version_bump()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw(`drop trigger if exists ${table}_map_version on ${table}`);
}
