// Idempotency keys of actions a phone queued while offline (an RSVP, a photo, a letter): the key
// is made on the device and sent with every attempt, so a retry answers as the first attempt did
// and never makes a second RSVP, e-mail or upload. Kept in PostgreSQL so every app process knows
// them; rows expire and are deleted by a recurring clean-up. No personal data: the request is
// kept as a keyed hash (fingerprint), the answer as ids and a status.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (table) => {
    table.string('key', 100).primary();
    // What the key was used for (e.g. rsvp:12, upload:12): the same key elsewhere is refused.
    table.string('scope', 60).notNullable();
    table.string('fingerprint', 64).notNullable();
    table.jsonb('result').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
