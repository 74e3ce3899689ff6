// The moderation queues as the moderator's page shows them (through the submissions presenter).
import type { AppDeps } from '../deps';
import type { UserRow } from '../db/tables';
import type { Actor } from '../policies';
import { presentForModeration } from '../presenters/submissions';
import { allPending, eventQueue } from './moderation';

export async function allPendingPage(deps: AppDeps, user: UserRow, page = 1) {
  const { pending, paging } = await allPending(deps, user, page);
  return { pending: pending.map(presentForModeration), paging };
}

export async function eventQueuePage(deps: AppDeps, user: Actor | undefined, eventId: number, pages: { pending: number; decided: number }) {
  const queue = await eventQueue(deps, user, eventId, pages);
  return { ...queue, pending: queue.pending.map(presentForModeration), decided: queue.decided.map(presentForModeration) };
}
