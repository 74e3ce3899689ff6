// Attendee safety: a picket can require organisers to approve each RSVP before the person learns
// the meeting point ("requested", then "going"/"waitlisted" or "declined"), and each campaign
// keeps a block list of keyed hashes of e-mail addresses (never the address itself).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.boolean('approve_attendees').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('rsvps', (t) => {
    // Made by an address on the campaign's block list: accepted on screen, never told the meeting point.
    t.boolean('blocked').notNullable().defaultTo(false);
  });
  const { rows } = await knex.raw<{ rows: { conname: string }[] }>(
    "select conname from pg_constraint where conrelid = 'rsvps'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%going%'",
  );
  for (const { conname } of rows) await knex.raw('alter table rsvps drop constraint ??', [conname]);
  await knex.raw("alter table rsvps add constraint rsvps_status_check check (status in ('requested', 'going', 'waitlisted', 'declined', 'cancelled'))");
  await knex.raw("create index rsvps_requested on rsvps (event_id, status_at) where status = 'requested'");

  await knex.schema.createTable('campaign_blocks', (t) => {
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    // HMAC-SHA256 of the lower-cased address, keyed with the instance's secret (hex).
    t.text('email_hash').notNullable();
    t.integer('blocked_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'email_hash']);
  });

  // On a picket that approves attendees, a new RSVP is a request whatever place it would have had:
  // rsvp_submit still decides whether there is room at all (going, waitlisted or full, counting
  // only approved places), and this turns its answer into a request. Kept apart from rsvp_submit
  // so the rules inside that function stay in one place.
  await knex.raw(`
    create function rsvps_request_approval() returns trigger language plpgsql as $$
    begin
      if new.status in ('going', 'waitlisted') and exists (select 1 from events where id = new.event_id and approve_attendees) then
        new.status := 'requested';
      end if;
      return new;
    end
    $$
  `);
  await knex.raw('create trigger rsvps_request_approval before insert on rsvps for each row execute function rsvps_request_approval()');

  // rsvp_promote (20261130020000_rsvp_rules.ts) fills places from the waitlist only: requests
  // waiting for a decision are never "waitlisted", so it never turns one into a place. A blocked
  // person must never get one either, whatever their row says, so the same function, with one
  // more condition. The rule (rsvp_state) stays where it is.
  await knex.raw(PROMOTE.replace('/*blocked*/', 'and not blocked'));
}

const PROMOTE = `
    create or replace function rsvp_promote(p_event integer, p_now timestamptz) returns setof integer
    language plpgsql volatile as $$
    declare
      next_id integer;
    begin
      perform 1 from events where id = p_event for update;
      while rsvp_state(p_event, p_now) = 'open' loop
        select id into next_id from rsvps where event_id = p_event and status = 'waitlisted' /*blocked*/
          order by status_seq limit 1 for update;
        exit when next_id is null;
        update rsvps set status = 'going', status_at = p_now, updated_at = p_now where id = next_id;
        return next next_id;
      end loop;
    end
    $$`;

export async function down(knex: Knex): Promise<void> {
  await knex.raw(PROMOTE.replace('/*blocked*/', ''));
  await knex.raw('drop trigger rsvps_request_approval on rsvps');
  await knex.raw('drop function rsvps_request_approval()');
  await knex.schema.dropTable('campaign_blocks');
  await knex.raw('drop index rsvps_requested');
  await knex.raw("update rsvps set status = 'cancelled' where status in ('requested', 'declined')");
  await knex.raw('alter table rsvps drop constraint rsvps_status_check');
  await knex.raw("alter table rsvps add constraint rsvps_status_check check (status in ('going', 'waitlisted', 'cancelled'))");
  await knex.schema.alterTable('rsvps', (t) => t.dropColumn('blocked'));
  await knex.schema.alterTable('events', (t) => t.dropColumn('approve_attendees'));
}
