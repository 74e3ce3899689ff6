// Where processed media live in storage, and the one way to write them together with their
// database row: claim the random key, write the files, insert the row; undo on any failure.
// A crash in between leaves a claim behind, which the clean-up (at start and every half hour)
// uses to remove the files.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import * as queries from '../queries/submissions';

export type MediaSize = 'display' | 'thumb' | 'letter';
export type Area = 'media' | 'portraits';

const FILE_NAMES: Record<MediaSize, string> = { display: 'display.jpg', thumb: 'thumb.jpg', letter: 'letter.pdf' };
export const CONTENT_TYPES: Record<MediaSize, string> = { display: 'image/jpeg', thumb: 'image/jpeg', letter: 'application/pdf' };

/** A stored name: random, meaningless, never derived from what the sender called the file. */
export function newKey(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function isKey(value: unknown): value is string {
  return typeof value === 'string' && /^[a-f0-9]{32}$/.test(value);
}

export function isSize(value: unknown): value is MediaSize {
  return value === 'display' || value === 'thumb' || value === 'letter';
}

export function fileKey(area: Area, key: string, size: MediaSize): string {
  return `${area}/${key}/${FILE_NAMES[size]}`;
}

export type Files = Partial<Record<MediaSize, Buffer>>;

type Store = Pick<AppDeps, 'db' | 'storage'>;

/**
 * Writes each entry's files under a new key, then runs `save(trx, keys)` to insert the rows in
 * one transaction. If anything fails, the files and claims are removed and the error rethrown.
 */
export async function storeWithRows<T>(deps: Store, area: Area, entries: Files[], save: (trx: Knex.Transaction, keys: (string | null)[]) => Promise<T>): Promise<T> {
  const keys = entries.map((files) => (Object.keys(files).length ? newKey() : null));
  const claimed = keys.filter((k): k is string => k !== null);
  for (const key of claimed) await queries.claim(deps.db, key);
  try {
    for (const [i, files] of entries.entries()) {
      for (const [size, data] of Object.entries(files) as [MediaSize, Buffer][]) {
        await deps.storage.put(fileKey(area, keys[i]!, size), data);
      }
    }
    return await deps.db.transaction(async (trx) => {
      const result = await save(trx, keys);
      await queries.release(trx, claimed);
      return result;
    });
  } catch (error) {
    await Promise.all(claimed.map((key) => removeFiles(deps, area, key)));
    await queries.release(deps.db, claimed).catch(() => undefined);
    throw error;
  }
}

export async function removeFiles(deps: Pick<AppDeps, 'storage'>, area: Area, key: string): Promise<void> {
  for (const size of Object.keys(FILE_NAMES) as MediaSize[]) await deps.storage.delete(fileKey(area, key, size));
}

/** Longer than any upload takes from claim to row; younger claims and temporary files may be in progress. */
const CLAIM_GRACE_MS = 15 * 60_000;

/** Deletes stored files that no row refers to and temporary files, left by a crash mid-upload. */
export async function cleanupStrayFiles(deps: Pick<AppDeps, 'db' | 'storage' | 'clock'>): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - CLAIM_GRACE_MS);
  // List before asking the database: a file listed now had its claim (or row) before it was written.
  const files = [...(await deps.storage.list('media/')), ...(await deps.storage.list('portraits/'))];
  const inUse = await queries.keysInUse(deps.db, cutoff);
  let removed = 0;
  for (const file of files) {
    if (inUse.has(file.split('/')[1])) continue;
    await deps.storage.delete(file);
    removed++;
  }
  await queries.dropStaleClaims(deps.db, cutoff);
  return removed + ((await deps.storage.removeLeftovers?.(cutoff)) ?? 0);
}
