import type { Knex } from 'knex';
import type { UserRow } from '../db/tables';
import type { Storage } from '../lib/storage';

/** What each seed step gets and may add to for the steps after it. */
export interface SeedContext {
  db: Knex;
  storage: Storage;
  log(line: string): void;
  users: { admin: UserRow; organiser1: UserRow; organiser2: UserRow };
  /** Filled by the steps: ids of what they created, by a stable name. */
  campaigns: Record<string, number>;
  venues: Record<string, number>;
  events: Record<string, number>;
  now: Date;
}
