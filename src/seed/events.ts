import type { SeedContext } from './context';

/** Demo events; idempotent (running the seed twice changes nothing). */
export async function seedEvents(_ctx: SeedContext): Promise<void> {
  // filled in by the events feature
}
