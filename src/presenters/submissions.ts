// What leaves the server about photos and letters. Public: approved content only, never an id
// of the moderator, a rejection reason or anything the sender did not mean to publish.
import type { LetterTemplateRow, SubmissionRow } from '../db/tables';
import type { HandinSummary } from '../queries/submissions';

const publicUrl = (key: string, size: string) => `/media/${key}/${size}`;
const previewUrl = (key: string, size: string) => `/organise/media/${key}/${size}`;

export function presentPhoto(row: SubmissionRow) {
  return {
    caption: row.caption,
    submitterName: row.submitter_name,
    width: row.width,
    height: row.height,
    thumbUrl: publicUrl(row.storage_key!, 'thumb'),
    displayUrl: publicUrl(row.storage_key!, 'display'),
  };
}

export function presentLetter(row: SubmissionRow) {
  return {
    caption: row.caption,
    submitterName: row.submitter_name,
    text: row.letter_text,
    imageUrl: row.media_type === 'image' && row.storage_key ? publicUrl(row.storage_key, 'display') : null,
    thumbUrl: row.media_type === 'image' && row.storage_key ? publicUrl(row.storage_key, 'thumb') : null,
    pdfUrl: row.media_type === 'pdf' && row.storage_key ? publicUrl(row.storage_key, 'letter') : null,
    handinStatus: row.handin_status,
    handinTo: row.handin_status ? row.handin_to : '',
  };
}

/** For the event's moderator: previews go through /organise/media, which checks who asks. */
export function presentForModeration(row: SubmissionRow & { event_title?: string }) {
  const key = row.storage_key;
  return {
    id: row.id,
    eventId: row.event_id,
    eventTitle: row.event_title ?? null,
    kind: row.kind,
    status: row.status,
    caption: row.caption,
    submitterName: row.submitter_name,
    letterText: row.letter_text,
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    previewUrl: key && row.media_type === 'image' ? previewUrl(key, 'display') : null,
    thumbUrl: key && row.media_type === 'image' ? previewUrl(key, 'thumb') : null,
    pdfUrl: key && row.media_type === 'pdf' ? previewUrl(key, 'letter') : null,
    handinStatus: row.handin_status,
    handinTo: row.handin_to,
    rejectionReason: row.rejection_reason,
    receivedAt: row.created_at,
  };
}

export function presentHandin(summary: HandinSummary | undefined) {
  return summary ?? { delivered: 0, refused: 0, posted: 0, emailed: 0, total: 0 };
}

export function presentTemplate(row: LetterTemplateRow) {
  return { id: row.id, language: row.language, title: row.title, body: row.body, url: `/letters/${row.id}` };
}
