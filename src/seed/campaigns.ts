import type { SeedContext } from './context';

/** Demo campaigns; idempotent (running the seed twice changes nothing). */
export async function seedCampaigns(_ctx: SeedContext): Promise<void> {
  // filled in by the campaigns feature
}
