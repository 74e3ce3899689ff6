// An RSVP sent with an idempotency key (see services/idempotency.ts): a phone that queued it
// offline sends it until it hears back, and however often it arrives there is one RSVP and one
// e-mail. The key is claimed, the RSVP made and the answer kept in one transaction, so a crash
// leaves either all of it or none of it, and a simultaneous retry waits for the first to finish.
import type { AppDeps } from '../deps';
import type { RsvpStatus } from '../db/tables';
import { HttpError } from '../lib/errors';
import * as q from '../queries/rsvps';
import * as idempotency from './idempotency';
import { RsvpInput, RsvpResult, submitRsvp } from './rsvps';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'sessionSecret'>;

/** What is kept with the key: never the name, address or note the person typed. */
interface Kept {
  status: RsvpStatus;
  eventId: number;
  /** The new RSVP, for a head-count-only RSVP whose manage link is the answer; null otherwise. */
  rsvpId: number | null;
}

class Refused extends Error {
  constructor(readonly result: RsvpResult) {
    super('refused');
  }
}

export type OnceResult = RsvpResult & { replayed?: boolean };

function claimFor(deps: Deps, eventId: number, key: string, input: RsvpInput): idempotency.KeyClaim {
  const scope = `rsvp:${eventId}`;
  return { key, scope, fingerprint: idempotency.fingerprint(deps.sessionSecret, [scope, input.name, input.email, input.role, input.note]) };
}

async function replay(deps: Deps, found: idempotency.Earlier, input: RsvpInput): Promise<OnceResult> {
  if (found.kind === 'mismatch') throw new HttpError(422, 'offline.keyReused');
  const kept = found.result as unknown as Kept;
  const token = kept.rsvpId ? ((await q.findById(deps.db, kept.rsvpId))?.token ?? '') : '';
  return { ok: true, rsvp: { email: input.email, status: kept.status, token }, eventId: kept.eventId, replayed: true };
}

/**
 * submitRsvp, once per key. A refused RSVP (full, closed, bad input) keeps nothing: the key stays
 * free, and the same request later gets the answer of that moment.
 */
export async function submitRsvpOnce(deps: Deps, eventId: number, input: RsvpInput, key: string): Promise<OnceResult> {
  const claim = claimFor(deps, eventId, key, input);
  const found = await idempotency.earlier(deps, claim);
  if (found) return replay(deps, found, input);
  try {
    return await deps.db.transaction(async (trx) => {
      await idempotency.claim(deps, trx, claim);
      const result = await submitRsvp({ ...deps, db: trx as unknown as Deps['db'] }, eventId, input);
      if (!result.ok) throw new Refused(result);
      // Only a head-count-only RSVP's answer is its manage link (an e-mailed one is never shown).
      const rsvpId = !input.email && result.rsvp.token ? ((await q.findByToken(trx, result.rsvp.token))?.id ?? null) : null;
      await idempotency.keep(trx, claim, { status: result.rsvp.status, eventId: result.eventId, rsvpId } satisfies Kept as unknown as Record<string, unknown>);
      return result;
    });
  } catch (error) {
    if (error instanceof Refused) return error.result;
    if (error instanceof idempotency.KeyTaken) {
      const now = await idempotency.earlier(deps, claim);
      if (now) return replay(deps, now, input);
    }
    throw error;
  }
}
