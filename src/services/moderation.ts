// Moderation: only the event's organiser (or an admin) sees pending uploads, masks faces,
// approves or rejects, and records how the letters were handed in. Rejected files are deleted.
import type { AppDeps } from '../app';
import type { EventRow, HandinStatus, SubmissionRow, UserRow } from '../db/tables';
import { BadRequest, Forbidden, NotFound } from '../lib/errors';
import { detectType, maskImage, MediaRefused, processImage, Region } from '../lib/images';
import * as queries from '../queries/submissions';
import { CONTENT_TYPES, fileKey, isKey, isSize, MediaSize, removeFiles, storeWithRows } from './media-files';

export function canModerate(user: UserRow | undefined, event: Pick<EventRow, 'owner_id'>): boolean {
  return Boolean(user && (user.role === 'admin' || event.owner_id === user.id));
}

async function eventOf(deps: Pick<AppDeps, 'db'>, user: UserRow | undefined, eventId: number): Promise<EventRow> {
  const event = await queries.findEvent(deps.db, eventId);
  if (!event) throw new NotFound();
  if (!canModerate(user, event)) throw new Forbidden();
  return event;
}

/** A submission `user` may moderate (404 unknown, 403 someone else's); routes ask before reading the form. */
export async function submissionOf(deps: Pick<AppDeps, 'db'>, user: UserRow | undefined, id: number) {
  const submission = await queries.findById(deps.db, id);
  if (!submission) throw new NotFound();
  const event = await eventOf(deps, user, submission.event_id);
  return { submission, event };
}

/** The moderation page of one event: pending first, then what was decided. */
export async function eventQueue(deps: AppDeps, user: UserRow | undefined, eventId: number) {
  const event = await eventOf(deps, user, eventId);
  const submissions = await queries.listForEvent(deps.db, event.id, ['pending', 'approved', 'rejected']);
  return { event, pending: submissions.filter((s) => s.status === 'pending'), decided: submissions.filter((s) => s.status !== 'pending') };
}

/** Everything waiting for this organiser (for an admin: everything). */
export function allPending(deps: AppDeps, user: UserRow) {
  return queries.listPending(deps.db, user.role === 'admin' ? null : user.id);
}

/** Approving or rejecting is a decision on something pending: a rejected upload has no files left to publish. */
function assertPending(submission: SubmissionRow): void {
  if (submission.status !== 'pending') throw new BadRequest({ _form: 'errors.invalid' });
}

export async function approve(deps: AppDeps, user: UserRow | undefined, id: number): Promise<SubmissionRow> {
  const { submission } = await submissionOf(deps, user, id);
  assertPending(submission);
  return queries.update(deps.db, submission.id, { status: 'approved', rejection_reason: '', moderated_by: user!.id, moderated_at: deps.clock.now() });
}

export async function reject(deps: AppDeps, user: UserRow | undefined, id: number, reason: string): Promise<SubmissionRow> {
  const { submission } = await submissionOf(deps, user, id);
  assertPending(submission);
  const row = await queries.update(deps.db, submission.id, {
    status: 'rejected', rejection_reason: reason, storage_key: null, moderated_by: user!.id, moderated_at: deps.clock.now(),
  });
  // Nobody needs a refused photo any more: its files go once the row no longer points at them.
  if (submission.storage_key) await removeFiles(deps, 'media', submission.storage_key);
  return row;
}

/**
 * Masks regions of a photo with solid boxes in every stored size. The result is stored under a
 * new key and the old files deleted, so no copy of the unmasked picture stays behind (nor in a
 * browser cache).
 */
export async function mask(deps: AppDeps, user: UserRow | undefined, id: number, regions: Region[]): Promise<SubmissionRow> {
  const { submission } = await submissionOf(deps, user, id);
  const oldKey = submission.storage_key;
  if (submission.media_type !== 'image' || !oldKey) throw new BadRequest({ regions: 'media.errors.notAnImage' });
  const display = await deps.storage.get(fileKey('media', oldKey, 'display'));
  if (!display) throw new NotFound();
  const masked = await maskImage(display, regions);
  const row = await storeWithRows(deps, 'media', [masked], (trx, [key]) => queries.update(trx, submission.id, { storage_key: key }));
  await removeFiles(deps, 'media', oldKey);
  return row;
}

export async function recordHandin(deps: AppDeps, user: UserRow | undefined, id: number, status: HandinStatus | null, to: string) {
  const { submission } = await submissionOf(deps, user, id);
  if (submission.kind !== 'letter') throw new BadRequest({ handin_status: 'errors.invalid' });
  return queries.update(deps.db, submission.id, { handin_status: status, handin_to: status ? to : '' });
}

export interface MediaFile {
  contentType: string;
  data: Buffer;
}

async function read(deps: Pick<AppDeps, 'storage'>, area: 'media' | 'portraits', key: string, size: MediaSize): Promise<MediaFile> {
  const data = await deps.storage.get(fileKey(area, key, size));
  if (!data) throw new NotFound();
  return { contentType: CONTENT_TYPES[size], data };
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
export async function previewFile(deps: AppDeps, user: UserRow | undefined, key: unknown, size: unknown): Promise<MediaFile> {
  if (!isKey(key) || !isSize(size)) throw new NotFound();
  const submission = await queries.findByKey(deps.db, key);
  if (!submission) throw new NotFound();
  const event = await queries.findEvent(deps.db, submission.event_id);
  if (!event || !canModerate(user, event)) throw new NotFound();
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
  if (!user || (user.role !== 'admin' && prisoner.owner_id !== user.id)) throw new Forbidden();
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
  if (!user || (user.role !== 'admin' && prisoner.owner_id !== user.id)) throw new Forbidden();
  return {
    prisoner: { id: prisoner.id, name: prisoner.name, campaignId: prisoner.campaign_id },
    portraitUrl: prisoner.portrait_key ? `/media/portraits/${prisoner.portrait_key}/display` : null,
    maxMb: deps.config.UPLOAD_MAX_MB,
  };
}
