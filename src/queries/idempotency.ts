// Idempotency keys: claimed in the transaction that does the work, so a concurrent request with
// the same key waits on the row and then finds it taken (or free again, if the first rolled back).
import type { Knex } from 'knex';
import type { IdempotencyKeyRow } from '../db/tables';

export function find(db: Knex | Knex.Transaction, key: string, now: Date): Promise<IdempotencyKeyRow | undefined> {
  return db<IdempotencyKeyRow>('idempotency_keys').where({ key }).where('expires_at', '>', now).first();
}

/** Inserts the key; false when another request holds it (after waiting for that one's transaction). */
export async function claim(trx: Knex.Transaction, row: Pick<IdempotencyKeyRow, 'key' | 'scope' | 'fingerprint' | 'expires_at'>): Promise<boolean> {
  // An expired key is free again: remove it first (the clean-up may not have run yet).
  await trx('idempotency_keys').where({ key: row.key }).where('expires_at', '<=', trx.fn.now()).delete();
  const inserted = await trx('idempotency_keys').insert({ ...row, result: {} }).onConflict('key').ignore().returning('key');
  return inserted.length === 1;
}

export async function keep(trx: Knex.Transaction, key: string, result: Record<string, unknown>): Promise<void> {
  await trx('idempotency_keys').where({ key }).update({ result });
}

export async function deleteExpired(db: Knex, now: Date): Promise<number> {
  return db('idempotency_keys').where('expires_at', '<=', now).delete();
}
