// The organiser's RSVP tools: list with counts, CSV export, message to everyone going. Hosts
// signed in by link use them for the pickets they run (the policy decides, src/policies).
import { Router, Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { pageParam, pagerLinks } from '../lib/paging';
import { parse, requiredText, FieldErrors } from '../lib/validation';
import * as organise from '../services/organise-rsvps';
import * as decisions from '../services/attendees';
import { NotFound } from '../lib/errors';
import { requireActor } from './middleware';
import { eventIdParam } from './params';

const messageForm = z.object({ subject: requiredText(150), body: requiredText(5000) });

export function organiseRsvpsRouter(deps: AppDeps): Router {
  const router = Router();

  const listPage = async (req: Request, res: Response, status: number, values: Record<string, unknown> = {}, errors: FieldErrors = {}) => {
    const overview = await organise.rsvpOverview(deps, req.actor!, eventIdParam(req.params.id), req.locale, pageParam(req.query.page));
    res.set('Cache-Control', 'no-store');
    res.status(status).page('organise-rsvps', {
      title: req.t('rsvps.organise.title', { title: overview.event.title }), ...overview, values, errors,
      rsvpPager: pagerLinks(overview.paging, `/organise/events/${overview.event.id}/rsvps`, req.query, 'page', 'list-heading'),
    });
  };

  router.get('/organise/events/:id/rsvps', requireActor, async (req, res) => listPage(req, res, 200));

  router.get('/organise/events/:id/rsvps.csv', requireActor, async (req, res) => {
    const { event, csv } = await organise.rsvpCsv(deps, req.actor!, eventIdParam(req.params.id), req.locale);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="rsvps-event-${event.id}.csv"`,
      'Cache-Control': 'no-store',
    });
    res.send(csv);
  });

  router.post('/organise/events/:id/messages', requireActor, async (req, res) => {
    await organise.eventForOrganiser(deps, req.actor!, eventIdParam(req.params.id)); // ownership before validation
    const parsed = parse(messageForm, req.body ?? {});
    if (!parsed.ok) return listPage(req, res, 400, { subject: req.body?.subject ?? '', body: req.body?.body ?? '' }, parsed.errors);
    const { recipients } = await organise.messageAttendees(deps, req.actor!, eventIdParam(req.params.id), parsed.data);
    res.flash('success', 'rsvps.organise.sent', { count: recipients });
    res.redirect(303, `/organise/events/${eventIdParam(req.params.id)}/rsvps`);
  });

  // Approval and removal: one click per person, or every request at once.
  const rsvpIdParam = (req: Request): number => {
    const id = Number(req.params.rsvpId);
    if (!Number.isSafeInteger(id) || id < 1) throw new NotFound();
    return id;
  };
  const back = (req: Request, res: Response) => res.redirect(303, `/organise/events/${eventIdParam(req.params.id)}/rsvps`);

  router.post('/organise/events/:id/rsvps/approve', requireActor, async (req, res) => {
    const result = await decisions.approve(deps, req.actor!, eventIdParam(req.params.id), null);
    res.flash(result.full ? 'info' : 'success', result.full ? 'rsvps.decide.approvedFull' : 'rsvps.decide.approved', { count: result.approved + result.waitlisted, full: result.full });
    back(req, res);
  });

  router.post('/organise/events/:id/rsvps/:rsvpId/approve', requireActor, async (req, res) => {
    const result = await decisions.approve(deps, req.actor!, eventIdParam(req.params.id), [rsvpIdParam(req)]);
    res.flash(result.full ? 'info' : 'success', result.full ? 'rsvps.decide.approvedFull' : 'rsvps.decide.approved', { count: result.approved + result.waitlisted, full: result.full });
    back(req, res);
  });

  const done = { decline: 'rsvps.decide.declined', remove: 'rsvps.decide.removed', block: 'rsvps.decide.blocked' } as const;
  for (const decision of ['decline', 'remove', 'block'] as const) {
    router.post(`/organise/events/:id/rsvps/:rsvpId/${decision}`, requireActor, async (req, res) => {
      await decisions.decide(deps, req.actor!, eventIdParam(req.params.id), rsvpIdParam(req), decision);
      res.flash('success', done[decision]);
      back(req, res);
    });
  }

  return router;
}
