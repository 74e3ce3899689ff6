import type { Knex } from 'knex';

// The RSVP rules in one place. `rsvp_state(event, now)` is the only definition of whether a picket
// takes RSVPs and whether a new one goes on the list, the waitlist or nowhere; `rsvp_submit` (the
// hot path), `rsvp_promote` (filling free places from the waitlist) and the app (the form, the
// manage page, re-RSVPs) all ask it.
//
// `status_seq` is the order in which RSVPs took their status. Every status change happens while
// the event row is locked, so a sequence value drawn then (by the trigger) follows the order of
// commits: the waitlist is served in the order that decided who got a place, whatever the app's
// clocks said (status_at is the time shown to people, not an order).

const RSVP_SUBMIT_ARGS = 'integer, text, text, text, text, text, text, timestamptz';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence rsvps_status_seq');
  await knex.raw('alter table rsvps add column status_seq bigint');
  await knex.raw(`update rsvps set status_seq = ordered.n
                    from (select id, nextval('rsvps_status_seq') as n from (select id from rsvps order by status_at, id) s) ordered
                   where rsvps.id = ordered.id`);
  await knex.raw(`alter table rsvps alter column status_seq set default nextval('rsvps_status_seq'),
                                    alter column status_seq set not null`);
  await knex.raw('alter sequence rsvps_status_seq owned by rsvps.status_seq');
  await knex.raw('create index rsvps_event_status_seq on rsvps (event_id, status, status_seq)');
  await knex.raw(`
    create function rsvps_take_status_seq() returns trigger language plpgsql as $$
    begin
      new.status_seq := nextval('rsvps_status_seq');
      return new;
    end
    $$`);
  await knex.raw(`create trigger rsvps_status_seq before update of status on rsvps
                  for each row when (old.status is distinct from new.status) execute function rsvps_take_status_seq()`);

  // Volatile on purpose: each statement inside takes a fresh snapshot, so after the caller locked
  // the event row the count sees every RSVP committed before (a stable function would see the
  // caller's older snapshot).
  await knex.raw(`
    create function rsvp_state(p_event integer, p_now timestamptz) returns text
    language plpgsql volatile as $$
    declare
      e record;
      going integer;
    begin
      select status, starts_at, capacity, waitlist_enabled into e from events where id = p_event;
      if not found then return null; end if;
      if e.status = 'cancelled' then return 'cancelled'; end if;
      if e.status <> 'published' then return 'draft'; end if;
      if e.starts_at <= p_now then return 'past'; end if;
      if e.capacity is null then return 'open'; end if;
      select count(*) into going from rsvps where event_id = p_event and status = 'going';
      if going < e.capacity then return 'open'; end if;
      if e.waitlist_enabled then return 'waitlist'; end if;
      return 'full';
    end
    $$`);

  await knex.raw(`drop function rsvp_submit(${RSVP_SUBMIT_ARGS})`);
  // One RSVP in one round trip: lock the event row, ask rsvp_state, insert, queue the
  // confirmation and commit, all inside PostgreSQL (see 20261124000030_rsvps.ts for why).
  await knex.raw(`
    create function rsvp_submit(
      p_event integer, p_name text, p_email text, p_note text, p_role text, p_locale text, p_token text, p_now timestamptz
    ) returns table (outcome text, rsvp_id integer, rsvp_status text)
    language plpgsql volatile as $$
    declare
      e events%rowtype;
      state text;
      existing integer;
      new_status text;
      new_id integer;
    begin
      select * into e from events where id = p_event for update;
      if not found then return query select 'missing'::text, null::integer, null::text; return; end if;
      state := rsvp_state(p_event, p_now);
      if state = 'draft' then return query select 'missing'::text, null::integer, null::text; return; end if;
      if state in ('cancelled', 'past') then return query select state, null::integer, null::text; return; end if;
      if p_email is null and not e.headcount_only_allowed then
        return query select 'email_required'::text, null::integer, null::text; return;
      end if;
      if p_email is not null then
        select id into existing from rsvps where event_id = p_event and lower(email) = lower(p_email);
        if existing is not null then return query select 'existing'::text, existing, null::text; return; end if;
      end if;
      if state = 'full' then return query select 'full'::text, null::integer, null::text; return; end if;
      new_status := case state when 'open' then 'going' else 'waitlisted' end;
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
    $$`);

  // Fills free places from the waitlist in the order people joined it, for as long as rsvp_state
  // says the picket is open (published, upcoming, a place free). Returns who was promoted; the
  // caller queues their e-mails in the same transaction.
  await knex.raw(`
    create function rsvp_promote(p_event integer, p_now timestamptz) returns setof integer
    language plpgsql volatile as $$
    declare
      next_id integer;
    begin
      perform 1 from events where id = p_event for update;
      while rsvp_state(p_event, p_now) = 'open' loop
        select id into next_id from rsvps where event_id = p_event and status = 'waitlisted'
          order by status_seq limit 1 for update;
        exit when next_id is null;
        update rsvps set status = 'going', status_at = p_now, updated_at = p_now where id = next_id;
        return next next_id;
      end loop;
    end
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function rsvp_promote(integer, timestamptz)');
  await knex.raw(`drop function rsvp_submit(${RSVP_SUBMIT_ARGS})`);
  // The previous rsvp_submit, as 20261124000030_rsvps.ts created it.
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
        insert into rsvp_confirmation_batches (event_id) values (p_event) on conflict do nothing;
        if found then
          perform graphile_worker.add_job('rsvp_confirmations', json_build_object('eventId', p_event), max_attempts => 25);
        end if;
      end if;
      return query select 'inserted'::text, new_id, new_status;
    end
    $$`);
  await knex.raw('drop function rsvp_state(integer, timestamptz)');
  await knex.raw('drop trigger rsvps_status_seq on rsvps');
  await knex.raw('drop function rsvps_take_status_seq()');
  await knex.raw('drop index rsvps_event_status_seq');
  await knex.raw('alter table rsvps drop column status_seq');
}
