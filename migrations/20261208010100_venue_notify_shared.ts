// Public caches drop everything when a shared place (the directory) changes; an organiser adding
// or editing a place of their own changes no public page (pickets keep a copy of their address),
// so it must not empty every process's cache, least of all on a day of action.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists venues_notify on venues');
  await knex.raw(`
    create function picket_notify_shared_venue() returns trigger language plpgsql as $$
    begin
      if (tg_op <> 'INSERT' and old.owner_id is null) or (tg_op <> 'DELETE' and new.owner_id is null) then
        perform pg_notify('picket_changes', 'g');
      end if;
      return null;
    end $$`);
  await knex.raw('create trigger venues_notify after insert or update or delete on venues for each row execute function picket_notify_shared_venue()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists venues_notify on venues');
  await knex.raw('drop function if exists picket_notify_shared_venue()');
  await knex.raw('create trigger venues_notify after insert or update or delete on venues for each statement execute function picket_notify_everything()');
}
