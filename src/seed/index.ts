import type { Knex } from 'knex';
import type { Storage } from '../lib/storage';
import type { SeedContext } from './context';
import { seedUsers } from './users';
import { seedCampaigns } from './campaigns';
import { seedEvents } from './events';
import { seedRsvps } from './rsvps';
import { seedMedia } from './media';
import { seedProposals } from './proposals';

/** The whole demo, step by step; each step is idempotent. */
export async function runSeed(opts: { db: Knex; storage: Storage; seedPassword?: string; log?: (line: string) => void; now?: Date }) {
  const accounts = await seedUsers(opts.db, opts.seedPassword);
  const ctx: SeedContext = {
    db: opts.db,
    storage: opts.storage,
    log: opts.log ?? (() => {}),
    users: accounts.users,
    campaigns: {},
    venues: {},
    events: {},
    now: opts.now ?? new Date(),
  };
  await seedCampaigns(ctx);
  await seedEvents(ctx);
  await seedRsvps(ctx);
  await seedMedia(ctx);
  await seedProposals(ctx);
  return { accounts, ctx };
}
