import type { SeedContext } from './context';

/** Demo rsvps; idempotent (running the seed twice changes nothing). */
export async function seedRsvps(_ctx: SeedContext): Promise<void> {
  // filled in by the rsvps feature
}
