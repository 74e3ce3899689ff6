// The moderation queues as the moderator's page shows them (through the submissions presenter).
import type { AppDeps } from '../deps';
import type { UserRow } from '../db/tables';
import { presentForModeration } from '../presenters/submissions';
import { allPending, eventQueue } from './moderation';

export async function allPendingPage(deps: AppDeps, user: UserRow) {
  return { pending: (await allPending(deps, user)).map(presentForModeration) };
}

export async function eventQueuePage(deps: AppDeps, user: UserRow | undefined, eventId: number) {
  const { event, pending, decided } = await eventQueue(deps, user, eventId);
  return { event, pending: pending.map(presentForModeration), decided: decided.map(presentForModeration) };
}
