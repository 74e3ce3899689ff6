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
    // Set by rsvp_submit: the confirmation e-mail still has to be queued (see rsvp_confirmation_batches).
    t.boolean('confirmation_pending').notNullable().defaultTo(false);
    t.index(['event_id', 'status', 'status_at']);
  });
  await knex.raw('create index rsvps_confirmation_pending on rsvps (event_id) where confirmation_pending');

  // One row per event whose new RSVPs wait for their confirmation e-mails to be queued, by one
  // `rsvp_confirmations` job per batch: queueing a job costs far more than an RSVP, so a burst of
  // RSVPs to one picket queues one job, which then queues every e-mail at once (add_jobs).
  await knex.schema.createTable('rsvp_confirmation_batches', (t) => {
    t.integer('event_id').primary().references('events.id').onDelete('CASCADE');
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

  // One RSVP in one round trip: lock the event row, count, insert, queue the confirmation and
  // commit, all inside PostgreSQL. With the lock held only for the server-side work (no network
  // round trip to the app while holding it), RSVPs to one popular picket queue for microseconds,
  // not milliseconds. The app calls this outside an explicit transaction, so the statement is its
  // own transaction. Rules mirror src/services/rsvps.ts (closedReason); the app handles the rare
  // cases (an RSVP with this e-mail exists: update it) itself.
  // Commits are durable (synchronous_commit stays on): turning it off here measured no faster.
  await knex.raw(`
    create function rsvp_submit(
      p_event integer, p_name text, p_email text, p_note text, p_role text, p_locale text, p_token text, p_now timestamptz
    ) returns table (outcome text, rsvp_id integer, rsvp_status text)
    language plpgsql volatile as $$
    declare
      e events%rowtype;
      going integer;
      existing integer;
      new_status text;
      new_id integer;
    begin
      select * into e from events where id = p_event for update;
      if not found or e.status = 'draft' then
        return query select 'missing'::text, null::integer, null::text; return;
      end if;
      if e.status = 'cancelled' then return query select 'cancelled'::text, null::integer, null::text; return; end if;
      if e.status <> 'published' then return query select 'draft'::text, null::integer, null::text; return; end if;
      if e.starts_at <= p_now then return query select 'past'::text, null::integer, null::text; return; end if;
      if p_email is null and not e.headcount_only_allowed then
        return query select 'email_required'::text, null::integer, null::text; return;
      end if;
      if p_email is not null then
        select id into existing from rsvps where event_id = p_event and lower(email) = lower(p_email);
        if existing is not null then return query select 'existing'::text, existing, null::text; return; end if;
      end if;
      -- A new statement, so a new snapshot: it sees every RSVP committed before the lock was ours.
      select count(*) into going from rsvps where event_id = p_event and status = 'going';
      if e.capacity is null or going < e.capacity then
        new_status := 'going';
      elsif e.waitlist_enabled then
        new_status := 'waitlisted';
      else
        return query select 'full'::text, null::integer, null::text; return;
      end if;
      insert into rsvps (event_id, name, email, note, role, status, locale, token, status_at, created_at, updated_at, confirmation_pending)
        values (p_event, p_name, p_email, p_note, p_role, new_status, p_locale, p_token, p_now, p_now, p_now, p_email is not null)
        returning id into new_id;
      if p_email is not null then
        -- The first RSVP of a batch queues the job that will queue the batch's e-mails.
        insert into rsvp_confirmation_batches (event_id) values (p_event) on conflict do nothing;
        if found then
          perform graphile_worker.add_job('rsvp_confirmations', json_build_object('eventId', p_event), max_attempts => 25);
        end if;
      end if;
      return query select 'inserted'::text, new_id, new_status;
    end
    $$
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function rsvp_submit(integer, text, text, text, text, text, text, timestamptz)');
  await knex.schema.dropTable('rsvp_confirmation_batches');
  await knex.schema.dropTable('event_messages');
  await knex.schema.dropTable('rsvp_reminders');
  await knex.schema.dropTable('rsvps');
}
