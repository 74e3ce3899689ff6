import type { SeedContext } from './context';

/** Demo media; idempotent (running the seed twice changes nothing). */
export async function seedMedia(_ctx: SeedContext): Promise<void> {
  // filled in by the media feature
}
