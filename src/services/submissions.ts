// Participants send photos and letters after a picket. Nothing is trusted: each file's type is
// read from its bytes, images are masked where the sender marked faces and re-encoded without
// metadata, PDFs cleaned, and all of it is stored (files and rows together, or nothing) as
// pending until a moderator approves it.
import crypto from 'node:crypto';
import type { AppDeps } from '../deps';
import type { EventRow, SubmissionKind, SubmissionRow } from '../db/tables';
import { HttpError, NotFound } from '../lib/errors';
import { detectType, MediaRefused, processImage, Region } from '../lib/images';
import { cleanPdf } from '../lib/pdf';
import * as queries from '../queries/submissions';
import { Files, storeWithRows } from './media-files';
import * as idempotency from './idempotency';

export interface UploadInput {
  eventId: number;
  kind: SubmissionKind;
  caption: string;
  submitterName: string;
  letterText: string;
  files: Buffer[];
  /** Boxes to mask, one list per file in the same order (checked by the route); none when absent. */
  masks?: Region[][];
  /** An idempotency key sent with the upload (a phone's queue): a second arrival stores nothing. */
  idempotencyKey?: string | null;
}

export type UploadResult = { ok: true; submissions: SubmissionRow[]; replayed?: boolean } | { ok: false; errors: Record<string, string> };

/** The key's claim: the same fields and the same files (by their hash) make the same request. */
function claimFor(deps: Pick<AppDeps, 'sessionSecret'>, input: UploadInput, key: string): idempotency.KeyClaim {
  const scope = `upload:${input.eventId}`;
  const files = input.files.map((f) => crypto.createHash('sha256').update(f).digest('hex'));
  const parts = [scope, input.kind, input.caption, input.submitterName, input.letterText, files, input.masks ?? []];
  return { key, scope, fingerprint: idempotency.fingerprint(deps.sessionSecret, parts) };
}

/** The answer of the first upload with the key: the rows it stored (ids only were kept). */
async function replay(deps: Pick<AppDeps, 'db'>, found: idempotency.Earlier): Promise<UploadResult> {
  if (found.kind === 'mismatch') throw new HttpError(422, 'offline.keyReused');
  const ids = (found.result.submissionIds as number[] | undefined) ?? [];
  const rows = await Promise.all(ids.map((id) => queries.findById(deps.db, id)));
  return { ok: true, submissions: rows.filter((r): r is SubmissionRow => r !== undefined), replayed: true };
}

interface Prepared {
  files: Files;
  media_type: 'image' | 'pdf' | null;
  mime: string | null;
  width: number | null;
  height: number | null;
}

/** Turns one uploaded file into what is stored, or throws MediaRefused. */
export async function prepareFile(deps: Pick<AppDeps, 'config'>, data: Buffer, kind: SubmissionKind, masks: Region[] = []): Promise<Prepared> {
  const type = await detectType(data);
  if (!type) throw new MediaRefused('media.errors.type');
  if (type.family === 'pdf') {
    if (kind !== 'letter') throw new MediaRefused('media.errors.pdfOnlyLetters');
    return { files: { letter: await cleanPdf(data) }, media_type: 'pdf', mime: 'application/pdf', width: null, height: null };
  }
  const image = await processImage(data, type, deps.config.UPLOAD_MAX_PIXELS, masks);
  return {
    files: { display: image.display, thumb: image.thumb },
    media_type: 'image',
    mime: 'image/jpeg',
    width: image.width,
    height: image.height,
  };
}

export async function eventForUpload(deps: Pick<AppDeps, 'db'>, eventId: number) {
  const event = await queries.findEvent(deps.db, eventId);
  if (!event || event.status !== 'published') throw new NotFound();
  return event;
}

/** Receives one upload (one or several photos, or one letter); stores them as pending. */
export async function receive(deps: AppDeps, input: UploadInput): Promise<UploadResult> {
  const event = await eventForUpload(deps, input.eventId);
  const claim = input.idempotencyKey ? claimFor(deps, input, input.idempotencyKey) : null;
  if (claim) {
    const found = await idempotency.earlier(deps, claim);
    if (found) return replay(deps, found);
  }
  try {
    return await receiveNew(deps, event, input, claim);
  } catch (error) {
    // A simultaneous upload with the key stored first (this one's files are already removed).
    if (claim && error instanceof idempotency.KeyTaken) {
      const found = await idempotency.earlier(deps, claim);
      if (found) return replay(deps, found);
    }
    throw error;
  }
}

async function receiveNew(deps: AppDeps, event: EventRow, input: UploadInput, claim: idempotency.KeyClaim | null): Promise<UploadResult> {
  if (input.kind === 'photo' && input.files.length === 0) return { ok: false, errors: { files: 'media.errors.noPhoto' } };
  if (input.kind === 'letter' && input.files.length === 0 && !input.letterText) {
    return { ok: false, errors: { letter_text: 'media.errors.noLetter' } };
  }
  if (input.kind === 'letter' && input.files.length > 1) return { ok: false, errors: { files: 'media.errors.oneLetter' } };

  const prepared: Prepared[] = [];
  try {
    for (const [i, data] of input.files.entries()) prepared.push(await prepareFile(deps, data, input.kind, input.masks?.[i]));
  } catch (error) {
    if (error instanceof MediaRefused) return { ok: false, errors: { files: error.reason } };
    throw error;
  }
  if (!prepared.length) prepared.push({ files: {}, media_type: null, mime: null, width: null, height: null });

  const submissions = await storeWithRows(deps, 'media', prepared.map((p) => p.files), async (trx, keys) => {
    if (claim) await idempotency.claim(deps, trx, claim);
    const rows = await queries.insert(
      trx,
      prepared.map((p, i) => ({
        event_id: event.id,
        kind: input.kind,
        storage_key: keys[i],
        media_type: p.media_type,
        mime: p.mime,
        width: p.width,
        height: p.height,
        caption: input.caption,
        submitter_name: input.submitterName,
        letter_text: input.kind === 'letter' ? input.letterText : '',
      })),
    );
    if (claim) await idempotency.keep(trx, claim, { submissionIds: rows.map((r) => r.id) });
    return rows;
  });
  deps.logger.info({ event: event.id, kind: input.kind, count: submissions.length, masks: input.masks?.flat().length ?? 0 }, 'submission received');
  return { ok: true, submissions };
}
