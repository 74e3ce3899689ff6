// The organiser's side of pickets: create, edit, publish, cancel, duplicate, delete drafts.
// Every action goes through the service, which answers 404/403 whatever the URL or form says.
import { Router, Request } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parse } from '../lib/validation';
import * as events from '../services/events';
import { organiserEventPage } from '../services/organise-event-page';
import { eventSchema, isVenueSearch, renderEventForm, typedValues } from './event-form';
import { ACTION_STATUSES } from '../domain/enums';

const reportSchema = eventSchema.pick({ action_status: true, attendance_count: true });
import { requireActor, requireUser } from './middleware';

export function eventId(req: Request): number {
  const id = String(req.params.id ?? '');
  if (!/^\d{1,9}$/.test(id)) throw new NotFound();
  return Number(id);
}

export function organiseEventsRouter(deps: AppDeps): Router {
  const router = Router();
  // Hosts signed in by link reach the pages of the pickets they run (and the RSVP and moderation
  // routes below /organise/events); creating and editing pickets is for accounts.
  router.use('/organise/events', requireActor);

  router.get('/organise/events', (_req, res) => res.redirect(303, '/organise'));

  router.get('/organise/events/new', requireUser, async (req, res) => {
    const from = typeof req.query.duplicate === 'string' && /^\d{1,9}$/.test(req.query.duplicate) ? Number(req.query.duplicate) : null;
    if (from === null) {
      return renderEventForm(deps, req, res, { values: { kind: 'picket', waitlist_enabled: true, action_status: 'planned', demand_ids: [] }, errors: {} });
    }
    const source = await events.eventForOrganiser(deps, req.user!, from);
    renderEventForm(deps, req, res, { values: await events.formValues(deps, source, true), errors: {}, duplicateOf: source });
  });

  router.post('/organise/events', requireUser, async (req, res) => {
    if (isVenueSearch(req.body)) return renderEventForm(deps, req, res, { values: typedValues(req.body), errors: {} });
    const parsed = parse(eventSchema, req.body);
    if (!parsed.ok) return renderEventForm(deps, req, res, { status: 400, values: typedValues(req.body), errors: parsed.errors });
    const result = await events.createEvent(deps, req.user!, parsed.data);
    if (!result.ok) return renderEventForm(deps, req, res, { status: 400, values: typedValues(req.body), errors: result.errors });
    res.flash('success', 'events.flash.created');
    res.redirect(303, `/organise/events/${result.event.id}`);
  });

  router.get('/organise/events/:id', async (req, res) => {
    const page = await organiserEventPage(deps, req.actor!, eventId(req));
    res.page('organise-event', { title: page.event.title, ...page });
  });

  // The report-back (how it went, how many came): organisers and the picket's host.
  const reportPage = async (req: Request, res: import('express').Response, status: number, values?: Record<string, unknown>, errors: Record<string, string> = {}) => {
    const event = await events.eventForOrganiser(deps, req.actor!, eventId(req));
    res.status(status).page('organise-report', {
      title: req.t('events.report.title', { title: event.title }), event: { id: event.id, title: event.title },
      values: values ?? { action_status: event.action_status, attendance_count: event.attendance_count ?? '' }, errors, actionStatuses: ACTION_STATUSES,
    });
  };
  router.get('/organise/events/:id/report', async (req, res) => reportPage(req, res, 200));
  router.post('/organise/events/:id/report', async (req, res) => {
    await events.eventForOrganiser(deps, req.actor!, eventId(req)); // 404/403 before reading the form
    const parsed = parse(reportSchema, req.body);
    if (!parsed.ok) return reportPage(req, res, 400, { action_status: req.body?.action_status, attendance_count: req.body?.attendance_count }, parsed.errors);
    await events.recordReportBack(deps, req.actor!, eventId(req), parsed.data);
    res.flash('success', 'events.report.saved');
    res.redirect(303, `/organise/events/${eventId(req)}`);
  });

  router.get('/organise/events/:id/edit', requireUser, async (req, res) => {
    const event = await events.eventForOrganiser(deps, req.user!, eventId(req));
    renderEventForm(deps, req, res, { values: await events.formValues(deps, event), errors: {}, event });
  });

  router.post('/organise/events/:id', requireUser, async (req, res) => {
    const id = eventId(req);
    const event = await events.eventForOrganiser(deps, req.user!, id);
    if (isVenueSearch(req.body)) return renderEventForm(deps, req, res, { values: typedValues(req.body), errors: {}, event });
    const parsed = parse(eventSchema, req.body);
    if (!parsed.ok) return renderEventForm(deps, req, res, { status: 400, values: typedValues(req.body), errors: parsed.errors, event });
    const result = await events.updateEvent(deps, req.user!, id, parsed.data);
    if (!result.ok) return renderEventForm(deps, req, res, { status: 400, values: typedValues(req.body), errors: result.errors, event });
    res.flash('success', 'events.flash.saved');
    res.redirect(303, `/organise/events/${id}`);
  });

  router.post('/organise/events/:id/publish', requireUser, async (req, res) => {
    const event = await events.publishEvent(deps, req.user!, eventId(req));
    res.flash('success', 'events.flash.published');
    res.redirect(303, `/organise/events/${event.id}`);
  });

  router.post('/organise/events/:id/cancel', requireUser, async (req, res) => {
    const event = await events.cancelEvent(deps, req.user!, eventId(req));
    res.flash('success', 'events.flash.cancelled');
    res.redirect(303, `/organise/events/${event.id}`);
  });

  router.post('/organise/events/:id/duplicate', requireUser, async (req, res) => {
    const event = await events.eventForOrganiser(deps, req.user!, eventId(req));
    res.redirect(303, `/organise/events/new?duplicate=${event.id}`);
  });

  router.post('/organise/events/:id/delete', requireUser, async (req, res) => {
    await events.deleteDraft(deps, req.user!, eventId(req));
    res.flash('success', 'events.flash.deleted');
    res.redirect(303, '/organise');
  });

  return router;
}
