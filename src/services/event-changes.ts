// Called by the events service, inside its transaction, whenever an organiser changes a picket.
// The RSVP feature tells attendees about changes of time, place or status from here.
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import type { EventRow } from '../db/tables';

export async function eventChanged(
  _trx: Knex.Transaction,
  _deps: Pick<AppDeps, 'config' | 'i18n' | 'clock'>,
  _before: EventRow,
  _after: EventRow,
): Promise<void> {
  // filled in by the RSVP feature
}
