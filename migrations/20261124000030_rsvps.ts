import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rsvps', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('events.id').onDelete('CASCADE');
    // Personal data: name, email and note are erased (set to null / '') after the retention period.
    t.text('name');
    t.text('email'); // null for head-count-only RSVPs and after erasure
    t.text('note').notNullable().defaultTo('');
    t.text('role').notNullable().defaultTo('attendee').checkIn(['attendee', 'steward', 'speaker']);
    t.text('status').notNullable().checkIn(['going', 'waitlisted', 'cancelled']);
    t.text('locale').notNullable().defaultTo('en'); // language of the form, for their e-mails
    // The secret of the manage link; kept in clear because reminders repeat the link.
    t.text('token').notNullable().unique();
    // When the RSVP last entered its status: the waitlist is served in this order.
    t.timestamp('status_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('erased_at', { useTz: true });
    t.index(['event_id', 'status', 'status_at']);
  });
  await knex.raw('create unique index rsvps_event_email_unique on rsvps (event_id, lower(email)) where email is not null');

  // One row per reminder sent: the primary key makes a second send impossible, even after a restart.
  await knex.schema.createTable('rsvp_reminders', (t) => {
    t.integer('rsvp_id').notNullable().references('rsvps.id').onDelete('CASCADE');
    t.text('kind').notNullable(); // hours before the start, e.g. "24"
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.primary(['rsvp_id', 'kind']);
  });

  // Messages organisers sent to attendees: the event's history.
  await knex.schema.createTable('event_messages', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.integer('author_id').references('users.id').onDelete('SET NULL');
    t.text('kind').notNullable().defaultTo('message').checkIn(['message', 'change', 'cancellation']);
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.integer('recipients').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['event_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_messages');
  await knex.schema.dropTable('rsvp_reminders');
  await knex.schema.dropTable('rsvps');
}
