// Participants send photos and letters after a picket. Nothing is trusted: each file's type is
// read from its bytes, images are masked where the sender marked faces and re-encoded without
// metadata, PDFs cleaned, and all of it is stored (files and rows together, or nothing) as
// pending until a moderator approves it.
import type { AppDeps } from '../deps';
import type { SubmissionKind, SubmissionRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { detectType, MediaRefused, processImage, Region } from '../lib/images';
import { cleanPdf } from '../lib/pdf';
import * as queries from '../queries/submissions';
import { Files, storeWithRows } from './media-files';

export interface UploadInput {
  eventId: number;
  kind: SubmissionKind;
  caption: string;
  submitterName: string;
  letterText: string;
  files: Buffer[];
  /** Boxes to mask, one list per file in the same order (checked by the route); none when absent. */
  masks?: Region[][];
}

export type UploadResult = { ok: true; submissions: SubmissionRow[] } | { ok: false; errors: Record<string, string> };

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

  const submissions = await storeWithRows(deps, 'media', prepared.map((p) => p.files), (trx, keys) =>
    queries.insert(
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
    ),
  );
  deps.logger.info({ event: event.id, kind: input.kind, count: submissions.length, masks: input.masks?.flat().length ?? 0 }, 'submission received');
  return { ok: true, submissions };
}
