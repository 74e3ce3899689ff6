// The media part of the public event page: the upload form, and after the picket the
// report-back (approved photos and letters, how many came, how the letters were handed in).
import type { Request } from 'express';
import type { AppDeps } from '../deps';
import type { EventRow } from '../db/tables';
import * as queries from '../queries/submissions';
import { presentHandin, presentLetter, presentPhoto, presentTemplate } from '../presenters/submissions';
import { templatesOf } from './letters';

export async function mediaPageExtras(deps: AppDeps, event: EventRow, _req: Request): Promise<Record<string, unknown>> {
  const approved = event.status === 'published' ? await queries.listForEvent(deps.db, event.id, ['approved']) : [];
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
      photos: approved.filter((s) => s.kind === 'photo' && s.storage_key).map(presentPhoto),
      letters: approved.filter((s) => s.kind === 'letter').map(presentLetter),
      attendanceCount: event.attendance_count,
      handin: presentHandin(handin.get(event.id)),
      templates: templates.map(presentTemplate),
    },
  };
}
