// The media part of the public event page: the upload form, and after the picket the
// report-back (approved photos and letters, how many came, how the letters were handed in).
import type { Request } from 'express';
import type { AppDeps } from '../deps';
import type { EventRow, SubmissionKind } from '../db/tables';
import { pageParam, paging, pagerLinks } from '../lib/paging';
import * as queries from '../queries/submissions';
import { presentHandin, presentLetter, presentPhoto, presentTemplate } from '../presenters/submissions';
import { templatesOf } from './letters';
import { presentUploadEvent } from '../presenters/events';
import { eventForUpload } from './submissions';

export const PHOTOS_PER_PAGE = 24;
export const LETTERS_PER_PAGE = 10;

/** One page of the event's approved photos or letters (none for a cancelled event). */
async function approvedPage(deps: AppDeps, event: EventRow, kind: SubmissionKind, page: number, perPage: number) {
  const total = event.status === 'published' ? await queries.countForEvent(deps.db, event.id, ['approved'], kind) : 0;
  const p = paging(page, total, perPage);
  const rows = total ? await queries.listForEvent(deps.db, event.id, ['approved'], { kind, limit: p.perPage, offset: p.offset }) : [];
  return { rows, paging: p };
}

export async function mediaPageExtras(deps: AppDeps, event: EventRow, req: Request): Promise<Record<string, unknown>> {
  const [photos, letters] = await Promise.all([
    approvedPage(deps, event, 'photo', pageParam(req.query.photos), PHOTOS_PER_PAGE),
    approvedPage(deps, event, 'letter', pageParam(req.query.letters), LETTERS_PER_PAGE),
  ]);
  const path = req.path;
  const handin = await queries.handinSummary(deps.db, [event.id]);
  const templates = event.campaign_id ? await templatesOf(deps, event.campaign_id) : [];
  const now = deps.clock.now();
  return {
    media: {
      eventId: event.id,
      uploadAction: `/events/${event.id}/submissions`,
      canUpload: event.status === 'published',
      started: event.starts_at <= now,
      ended: event.ends_at <= now,
      maxMb: deps.config.UPLOAD_MAX_MB,
      photos: photos.rows.filter((s) => s.storage_key).map(presentPhoto),
      photosPager: pagerLinks(photos.paging, path, req.query, 'photos', 'report-photos'),
      letters: letters.rows.map(presentLetter),
      lettersPager: pagerLinks(letters.paging, path, req.query, 'letters', 'report-letters'),
      attendanceCount: event.attendance_count,
      handin: presentHandin(handin.get(event.id)),
      templates: templates.map(presentTemplate),
    },
  };
}

/** The upload page of a published picket: the picket it names, and the media parts of its page. */
export async function uploadPage(deps: AppDeps, eventId: number, req: Request) {
  const event = await eventForUpload(deps, eventId);
  return { event: presentUploadEvent(event), title: event.title, extras: await mediaPageExtras(deps, event, req) };
}
