// Moderation: only the event's organiser (or an admin) sees pending uploads, masks faces,
// approves or rejects, and records how the letters were handed in. Rejected files are deleted.
import type { AppDeps } from '../deps';
import type { EventRow, HandinStatus, SubmissionRow, SubmissionStatus, UserRow } from '../db/tables';
import { paging } from '../lib/paging';
import type { Knex } from 'knex';
import { BadRequest, Conflict, NotFound } from '../lib/errors';
import { detectType, maskImage, MediaRefused, processImage, Region } from '../lib/images';
import * as queries from '../queries/submissions';
import { CONTENT_TYPES, fileKey, isKey, isSize, MediaSize, removeFiles, storeWithRows } from './media-files';
import { SUBMISSION_STATUSES } from '../domain/enums';
import * as policy from '../policies';
import { accountId, Actor, authorize, can, ownerScope, picket } from '../policies';

async function eventOf(deps: Pick<AppDeps, 'db'>, user: Actor | undefined, eventId: number): Promise<EventRow> {
  const event = await queries.findEvent(deps.db, eventId);
  if (!event) throw new NotFound();
  authorize(user, 'manage', picket(event));
  return event;
}

/** A submission `user` may moderate (404 unknown, 403 someone else's); routes ask before reading the form. */
export async function submissionOf(deps: Pick<AppDeps, 'db'>, user: Actor | undefined, id: number) {
  const submission = await queries.findById(deps.db, id);
  if (!submission) throw new NotFound();
  const event = await eventOf(deps, user, submission.event_id);
  return { submission, event };
}

export const MODERATION_PER_PAGE = 30;

/** One page of the event's submissions in `statuses`, with its paging. */
async function pageOf(deps: AppDeps, eventId: number, statuses: SubmissionStatus[], page: number) {
  const p = paging(page, await queries.countForEvent(deps.db, eventId, statuses), MODERATION_PER_PAGE);
  return { rows: await queries.listForEvent(deps.db, eventId, statuses, { limit: p.perPage, offset: p.offset }), paging: p };
}

/** The moderation page of one event: pending first, then what was decided; each a page at a time. */
export async function eventQueue(deps: AppDeps, user: Actor | undefined, eventId: number, pages: { pending: number; decided: number } = { pending: 1, decided: 1 }) {
  const event = await eventOf(deps, user, eventId);
  const [pending, decided] = await Promise.all([
    pageOf(deps, event.id, ['pending'], pages.pending),
    pageOf(deps, event.id, SUBMISSION_STATUSES.filter((s) => s !== 'pending'), pages.decided),
  ]);
  return { event, pending: pending.rows, pendingPaging: pending.paging, decided: decided.rows, decidedPaging: decided.paging };
}

/** Everything waiting for this organiser (for an admin: everything), a page at a time. */
export async function allPending(deps: AppDeps, user: UserRow, page = 1) {
  const scope = ownerScope(user);
  const p = paging(page, await queries.countPending(deps.db, scope), MODERATION_PER_PAGE);
  return { pending: await queries.listPending(deps.db, scope, { limit: p.perPage, offset: p.offset }), paging: p };
}

/**
 * A moderator's decision, taken on the submission row locked for the transaction: two moderators
 * acting at once are served one after the other, and the second sees what the first decided.
 */
function decide<T>(deps: AppDeps, id: number, fn: (trx: Knex.Transaction, locked: SubmissionRow) => Promise<T>): Promise<T> {
  return deps.db.transaction(async (trx) => {
    const locked = await queries.lockById(trx, id);
    if (!locked) throw new NotFound();
    return fn(trx, locked);
  });
}

/** Approving or rejecting is a decision on something pending: someone else may have decided a moment ago. */
function assertPending(submission: SubmissionRow): void {
  if (submission.status !== 'pending') throw new Conflict('rules.moderation.alreadyDecided');
}

export async function approve(deps: AppDeps, user: Actor | undefined, id: number): Promise<SubmissionRow> {
  await submissionOf(deps, user, id);
  return decide(deps, id, async (trx, locked) => {
    assertPending(locked);
    return queries.update(trx, locked.id, { status: 'approved', rejection_reason: '', moderated_by: accountId(user), moderated_at: deps.clock.now() });
  });
}

export async function reject(deps: AppDeps, user: Actor | undefined, id: number, reason: string): Promise<SubmissionRow> {
  await submissionOf(deps, user, id);
  const { row, key } = await decide(deps, id, async (trx, locked) => {
    assertPending(locked);
    const updated = await queries.update(trx, locked.id, {
      status: 'rejected', rejection_reason: reason, storage_key: null, moderated_by: accountId(user), moderated_at: deps.clock.now(),
    });
    return { row: updated, key: locked.storage_key };
  });
  // Nobody needs a refused photo any more: its files go once the row no longer points at them.
  if (key) await removeFiles(deps, 'media', key);
  return row;
}

/**
 * Masks regions of a photo with solid boxes in every stored size. The result is stored under a
 * new key and the old files deleted, so no copy of the unmasked picture stays behind (nor in a
 * browser cache).
 */
export async function mask(deps: AppDeps, user: Actor | undefined, id: number, regions: Region[]): Promise<SubmissionRow> {
  const { submission } = await submissionOf(deps, user, id);
  const oldKey = submission.storage_key;
  if (submission.media_type !== 'image') throw new BadRequest({ regions: 'media.errors.notAnImage' });
  // Rejected (its files already gone) by another moderator a moment ago.
  if (submission.status === 'rejected' || !oldKey) throw new Conflict('rules.moderation.alreadyDecided');
  const display = await deps.storage.get(fileKey('media', oldKey, 'display'));
  if (!display) throw new Conflict('rules.moderation.alreadyDecided');
  const masked = await maskImage(display, regions);
  const row = await storeWithRows(deps, 'media', [masked], async (trx, [key]) => {
    // Rejected or masked by someone else meanwhile: this mask is dropped (with its new files).
    const locked = await queries.lockById(trx, submission.id);
    if (!locked || locked.status === 'rejected' || locked.storage_key !== oldKey) throw new Conflict('rules.moderation.alreadyDecided');
    return queries.update(trx, submission.id, { storage_key: key });
  });
  await removeFiles(deps, 'media', oldKey);
  return row;
}

export async function recordHandin(deps: AppDeps, user: Actor | undefined, id: number, status: HandinStatus | null, to: string) {
  const { submission } = await submissionOf(deps, user, id);
  if (submission.kind !== 'letter') throw new BadRequest({ handin_status: 'errors.invalid' });
  return queries.update(deps.db, submission.id, { handin_status: status, handin_to: status ? to : '' });
}

/** A stored file, read only once the route knows whether it wants all of it or a range. */
export interface MediaFile {
  contentType: string;
  /** The whole file; NotFound when it has gone. */
  whole(): Promise<Buffer>;
  /** Its length, then bytes start..end (inclusive): for range requests on PDFs. */
  size(): Promise<number>;
  slice(start: number, end: number): Promise<Buffer>;
}

function read(deps: Pick<AppDeps, 'storage'>, area: 'media' | 'portraits', key: string, size: MediaSize): MediaFile {
  const file = fileKey(area, key, size);
  const found = <T>(value: T | null): T => {
    if (value === null) throw new NotFound();
    return value;
  };
  return {
    contentType: CONTENT_TYPES[size],
    whole: async () => found(await deps.storage.get(file)),
    size: async () => found(await deps.storage.size(file)),
    slice: async (start, end) => found(await deps.storage.getRange(file, start, end)),
  };
}

/** A file for everyone: only of an approved submission of a published event. */
export async function publicFile(deps: AppDeps, key: unknown, size: unknown): Promise<MediaFile> {
  if (!isKey(key) || !isSize(size)) throw new NotFound();
  const submission = await queries.findByKey(deps.db, key);
  if (!submission || submission.status !== 'approved') throw new NotFound();
  const event = await queries.findEvent(deps.db, submission.event_id);
  if (!event || event.status !== 'published') throw new NotFound();
  return read(deps, 'media', key, size);
}

/** A file for its moderator, whatever its status. Others get 404, as if it did not exist. */
export async function previewFile(deps: AppDeps, user: Actor | undefined, key: unknown, size: unknown): Promise<MediaFile> {
  if (!isKey(key) || !isSize(size)) throw new NotFound();
  const submission = await queries.findByKey(deps.db, key);
  if (!submission || submission.status === 'rejected') throw new NotFound();
  const event = await queries.findEvent(deps.db, submission.event_id);
  if (!event || !can(user, 'manage', picket(event))) throw new NotFound();
  return read(deps, 'media', key, size);
}

export async function portraitFile(deps: AppDeps, key: unknown, size: unknown): Promise<MediaFile> {
  if (!isKey(key) || (size !== 'display' && size !== 'thumb')) throw new NotFound();
  if (!(await queries.findPrisonerByPortrait(deps.db, key))) throw new NotFound();
  return read(deps, 'portraits', key, size);
}

/** A prisoner's portrait, through the same pipeline as any photo; the old one is deleted. */
export async function setPortrait(deps: AppDeps, user: UserRow | undefined, prisonerId: number, data: Buffer | undefined) {
  const prisoner = await queries.findPrisoner(deps.db, prisonerId);
  if (!prisoner) throw new NotFound();
  authorize(user, 'manage', policy.prisoner(prisoner));
  if (!data) return { ok: false as const, errors: { portrait: 'media.errors.noPhoto' }, prisoner };
  const type = await detectType(data);
  let image;
  try {
    if (!type || type.family === 'pdf') throw new MediaRefused('media.errors.type');
    image = await processImage(data, type, deps.config.UPLOAD_MAX_PIXELS);
  } catch (error) {
    if (error instanceof MediaRefused) return { ok: false as const, errors: { portrait: error.reason }, prisoner };
    throw error;
  }
  await storeWithRows(deps, 'portraits', [{ display: image.display, thumb: image.thumb }], (trx, [key]) =>
    queries.setPortrait(trx, prisoner.id, key!),
  );
  if (prisoner.portrait_key) await removeFiles(deps, 'portraits', prisoner.portrait_key);
  return { ok: true as const, prisoner };
}

/** What the portrait page shows its organiser: the prisoner's name and current portrait. */
export async function portraitForm(deps: AppDeps, user: UserRow | undefined, prisonerId: number) {
  const prisoner = await queries.findPrisoner(deps.db, prisonerId);
  if (!prisoner) throw new NotFound();
  authorize(user, 'manage', policy.prisoner(prisoner));
  return {
    prisoner: { id: prisoner.id, name: prisoner.name, campaignId: prisoner.campaign_id },
    portraitUrl: prisoner.portrait_key ? `/media/portraits/${prisoner.portrait_key}/display` : null,
    maxMb: deps.config.UPLOAD_MAX_MB,
  };
}
