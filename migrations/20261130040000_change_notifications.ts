import type { Knex } from 'knex';

// Public caches in every app process learn what changed from PostgreSQL (LISTEN picket_changes),
// so a cached page is answered from memory with no query, and a write makes stale only what shows
// it. Payloads (sent at commit, identical ones in a transaction merged by PostgreSQL):
//   e:<event>:<campaign or empty>  a public picket changed (drafts are nobody's business but their organiser's)
//   c:<campaign>                   a campaign, its demands, prisoners or letter templates changed
//   r:<event>                      an RSVP to the picket changed (only its counts)
//   m:<event>                      an approved photo or letter changed (pending uploads say nothing)
//   g                              something shown everywhere changed (venues): drop everything
// This replaces the global version counter (map_version), which every RSVP bumped.
const OLD_TRIGGERS = ['events', 'event_demands', 'demands', 'campaigns', 'rsvps', 'submissions', 'prisoners', 'letter_templates', 'venues'];

export async function up(knex: Knex): Promise<void> {
  for (const table of OLD_TRIGGERS) await knex.raw(`drop trigger if exists ${table}_map_version on ${table}`);
  await knex.raw('drop function if exists map_version_bump()');
  await knex.schema.dropTableIfExists('map_version');

  await knex.raw(`
    create function picket_notify_event() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'DELETE' and new.status <> 'draft' then
        perform pg_notify('picket_changes', 'e:' || new.id || ':' || coalesce(new.campaign_id::text, ''));
      end if;
      if tg_op <> 'INSERT' and old.status <> 'draft'
        and (tg_op = 'DELETE' or new.status = 'draft' or old.campaign_id is distinct from new.campaign_id) then
        perform pg_notify('picket_changes', 'e:' || old.id || ':' || coalesce(old.campaign_id::text, ''));
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_event_demand() returns trigger language plpgsql as $$
    declare
      row record;
    begin
      if tg_op = 'DELETE' then row := old; else row := new; end if;
      perform pg_notify('picket_changes', 'e:' || e.id || ':' || coalesce(e.campaign_id::text, ''))
        from events e where e.id = row.event_id and e.status <> 'draft';
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_campaign_part() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'DELETE' then perform pg_notify('picket_changes', 'c:' || new.campaign_id); end if;
      if tg_op <> 'INSERT' then perform pg_notify('picket_changes', 'c:' || old.campaign_id); end if;
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_campaign() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then perform pg_notify('picket_changes', 'c:' || old.id);
      else perform pg_notify('picket_changes', 'c:' || new.id); end if;
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_rsvp() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then perform pg_notify('picket_changes', 'r:' || old.event_id);
      else perform pg_notify('picket_changes', 'r:' || new.event_id); end if;
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_submission() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'DELETE' and new.status = 'approved' then perform pg_notify('picket_changes', 'm:' || new.event_id); end if;
      if tg_op <> 'INSERT' and old.status = 'approved' then perform pg_notify('picket_changes', 'm:' || old.event_id); end if;
      return null;
    end $$`);
  await knex.raw(`
    create function picket_notify_everything() returns trigger language plpgsql as $$
    begin
      perform pg_notify('picket_changes', 'g');
      return null;
    end $$`);

  const rowTrigger = (table: string, fn: string) => knex.raw(
    `create trigger ${table}_notify after insert or update or delete on ${table} for each row execute function ${fn}()`);
  await rowTrigger('events', 'picket_notify_event');
  await rowTrigger('event_demands', 'picket_notify_event_demand');
  await rowTrigger('campaigns', 'picket_notify_campaign');
  for (const table of ['demands', 'prisoners', 'letter_templates']) await rowTrigger(table, 'picket_notify_campaign_part');
  await rowTrigger('rsvps', 'picket_notify_rsvp');
  await rowTrigger('submissions', 'picket_notify_submission');
  await knex.raw('create trigger venues_notify after insert or update or delete on venues for each statement execute function picket_notify_everything()');
  // A truncate (tests, clean-ups) changes everything.
  for (const table of ['events', 'event_demands', 'campaigns', 'demands', 'prisoners', 'letter_templates', 'rsvps', 'submissions']) {
    await knex.raw(`create trigger ${table}_notify_truncate after truncate on ${table} for each statement execute function picket_notify_everything()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['events', 'event_demands', 'campaigns', 'demands', 'prisoners', 'letter_templates', 'rsvps', 'submissions', 'venues']) {
    await knex.raw(`drop trigger if exists ${table}_notify on ${table}`);
    await knex.raw(`drop trigger if exists ${table}_notify_truncate on ${table}`);
  }
  for (const fn of ['event', 'event_demand', 'campaign_part', 'campaign', 'rsvp', 'submission', 'everything']) {
    await knex.raw(`drop function if exists picket_notify_${fn}()`);
  }
  // The global counter as it was (migrations map_version and page_version).
  await knex.schema.createTable('map_version', (t) => {
    t.integer('shard').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('map_version').insert(Array.from({ length: 64 }, (_, shard) => ({ shard })));
  await knex.raw(`
    create function map_version_bump() returns trigger language plpgsql as $$
    begin
      update map_version set version = version + 1 where shard = pg_backend_pid() % 64;
      return null;
    end
    $$`);
  for (const table of OLD_TRIGGERS) {
    await knex.raw(`create trigger ${table}_map_version after insert or update or delete or truncate on ${table}
      for each statement execute function map_version_bump()`);
  }
}
