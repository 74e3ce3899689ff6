// Idempotency keys (the `Idempotency-Key` header, or an `idempotency_key` form field): a phone
// that queued an RSVP or an upload while offline sends it with a key it made, and sends it again
// until it gets an answer. The first request with a key does the work and keeps a short answer
// (ids and a status, never what the person typed) in the same transaction as the work; every later
// request with the key gets that answer again without doing anything, from any app process. The
// same key with a different request is refused (the device is confused, or someone guesses).
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import * as q from '../queries/idempotency';

/** How long an answer is kept: longer than any phone stays offline between two attempts. */
export const KEY_DAYS = 7;

export interface KeyClaim {
  key: string;
  /** What the key is used for, e.g. `rsvp:12`. */
  scope: string;
  /** A keyed hash of the request (see fingerprint). */
  fingerprint: string;
}

/** What became of an earlier request with the key: its answer, or a different request. */
export type Earlier = { kind: 'replay'; result: Record<string, unknown> } | { kind: 'mismatch' };

const KEY = /^[A-Za-z0-9_-]{16,100}$/;

/** A usable key from a header or a field, or null (none, or not one a device makes). */
export function keyFrom(value: unknown): string | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' && KEY.test(value) ? value : 'invalid';
}

/** A keyed hash of what a request asked for: the same request gives the same value, and it reveals nothing. */
export function fingerprint(secret: string, parts: unknown[]): string {
  return crypto.createHmac('sha256', secret).update(JSON.stringify(parts)).digest('hex');
}

export async function earlier(deps: Pick<AppDeps, 'db' | 'clock'>, claim: KeyClaim, db: Knex | Knex.Transaction = deps.db): Promise<Earlier | undefined> {
  const row = await q.find(db, claim.key, deps.clock.now());
  if (!row) return undefined;
  if (row.scope !== claim.scope || row.fingerprint !== claim.fingerprint) return { kind: 'mismatch' };
  return { kind: 'replay', result: row.result };
}

/** Thrown inside the work's transaction when another request took the key first. */
export class KeyTaken extends Error {
  constructor() {
    super('idempotency key taken');
  }
}

/** Claims the key inside `trx` (waiting for a concurrent request with it to finish), or throws KeyTaken. */
export async function claim(deps: Pick<AppDeps, 'clock'>, trx: Knex.Transaction, claim: KeyClaim): Promise<void> {
  const expires_at = new Date(deps.clock.now().getTime() + KEY_DAYS * 86_400_000);
  if (!(await q.claim(trx, { ...claim, expires_at }))) throw new KeyTaken();
}

/** Keeps the answer with the key, in the work's transaction. */
export function keep(trx: Knex.Transaction, claim: KeyClaim, result: Record<string, unknown>): Promise<void> {
  return q.keep(trx, claim.key, result);
}

/** Deletes expired keys (a recurring job). */
export function deleteExpired(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<number> {
  return q.deleteExpired(deps.db, deps.clock.now());
}
