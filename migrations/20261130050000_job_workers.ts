import type { Knex } from 'knex';

// Every running job worker records itself here and renews its heartbeat every few seconds. Jobs
// locked by a worker whose heartbeat stopped (its process was killed, its machine lost) are
// released for others to run, within a minute instead of the job queue's own four hours.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('job_workers', (t) => {
    t.text('worker_id').primary(); // graphile-worker's id, as in its jobs' locked_by
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('heartbeat_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_workers');
}
