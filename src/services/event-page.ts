// What the public event page shows beyond the event itself. RSVPs and media each add their part
// here, so the events route stays the one place that renders the page.
import type { Request } from 'express';
import type { AppDeps } from '../app';
import type { EventRow } from '../db/tables';

export async function eventPageExtras(
  _deps: AppDeps,
  _event: EventRow,
  _req: Request,
): Promise<Record<string, unknown>> {
  return {};
}
