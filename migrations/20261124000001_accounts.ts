import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable().unique(); // stored lower-cased
    t.text('name').notNullable();
    t.text('password_hash').notNullable();
    t.text('role').notNullable().checkIn(['admin', 'organiser']);
    t.text('locale');
    t.timestamp('disabled_at', { useTz: true });
    t.timestamps(true, true);
  });

  // Invites and password resets keep only a SHA-256 of the token that is e-mailed.
  await knex.schema.createTable('invites', (t) => {
    t.increments('id');
    t.text('email').notNullable();
    t.text('role').notNullable().checkIn(['admin', 'organiser']);
    t.text('token_hash').notNullable().unique();
    t.integer('invited_by').references('users.id').onDelete('SET NULL');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('password_resets', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // The table connect-pg-simple expects.
  await knex.schema.createTable('session', (t) => {
    t.string('sid').primary();
    t.json('sess').notNullable();
    t.timestamp('expire', { precision: 6 }).notNullable().index('IDX_session_expire');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('session');
  await knex.schema.dropTable('password_resets');
  await knex.schema.dropTable('invites');
  await knex.schema.dropTable('users');
}
