// The moderation queue (event organiser and admins), masks, hand-in status, and prisoner portraits.
import { Router, Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { BadRequest, NotFound } from '../lib/errors';
import { pageParam, pagerLinks } from '../lib/paging';
import { optionalText, parse, parseOrThrow } from '../lib/validation';
import * as moderation from '../services/moderation';
import { allPendingPage, eventQueuePage } from '../services/moderation-page';
import { requireActor, requireUser, safeNext } from './middleware';
import { multipartWithCsrf } from './submissions';
import { MASK_GRID, moderationMasks } from './masks';
import { HANDIN_STATUSES } from '../domain/enums';

const rejectForm = z.object({ reason: optionalText(500) });
const handinForm = z.object({
  handin_status: z.enum(['', ...HANDIN_STATUSES], { message: 'errors.invalid' }),
  handin_to: optionalText(200),
});

function idParam(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new NotFound();
  return id;
}

/** Back to where the moderator came from: the event's queue unless they came from the overall one. */
function backTo(req: Request, eventId: number): string {
  return safeNext(req.body?.return, `/organise/events/${eventId}/moderation`);
}

export function moderationRouter(deps: AppDeps): Router {
  const router = Router();
  const page = { head: '<link rel="stylesheet" href="/public/css/media.css">', scripts: ['/public/js/faces.js'], maskGrid: MASK_GRID };

  router.get('/organise/moderation', requireUser, async (req, res) => {
    const { pending, paging } = await allPendingPage(deps, req.user!, pageParam(req.query.page));
    res.page('moderation', {
      ...page, title: req.t('media.moderation.allTitle'), event: null, pending, decided: [],
      pendingTotal: paging.total, pendingPager: pagerLinks(paging, '/organise/moderation', req.query, 'page'), decidedPager: null,
      returnTo: '/organise/moderation',
    });
  });

  router.get('/organise/events/:id/moderation', requireActor, async (req, res) => {
    const queue = await eventQueuePage(deps, req.actor, idParam(req), { pending: pageParam(req.query.pending), decided: pageParam(req.query.decided) });
    const path = `/organise/events/${queue.event.id}/moderation`;
    res.set('Cache-Control', 'private, no-store');
    res.page('moderation', {
      ...page,
      title: req.t('media.moderation.title', { title: queue.event.title }),
      event: queue.event,
      pending: queue.pending,
      decided: queue.decided,
      pendingTotal: queue.pendingPaging.total,
      pendingPager: pagerLinks(queue.pendingPaging, path, req.query, 'pending'),
      decidedPager: pagerLinks(queue.decidedPaging, path, req.query, 'decided', 'decided'),
      returnTo: '',
    });
  });

  router.post('/organise/submissions/:id/approve', requireActor, async (req, res) => {
    const row = await moderation.approve(deps, req.actor, idParam(req));
    res.flash('success', 'media.moderation.approved');
    res.redirect(303, backTo(req, row.event_id));
  });

  // Ownership first, then the form: nobody learns anything about another organiser's uploads.
  router.post('/organise/submissions/:id/reject', requireActor, async (req, res) => {
    await moderation.submissionOf(deps, req.actor, idParam(req));
    const { reason } = parseOrThrow(rejectForm, req.body);
    const row = await moderation.reject(deps, req.actor, idParam(req), reason);
    res.flash('info', 'media.moderation.rejected');
    res.redirect(303, backTo(req, row.event_id));
  });

  router.post('/organise/submissions/:id/mask', requireActor, async (req, res) => {
    await moderation.submissionOf(deps, req.actor, idParam(req));
    const parsed = parse(moderationMasks, req.body);
    if (!parsed.ok) throw new BadRequest(parsed.errors);
    const row = await moderation.mask(deps, req.actor, idParam(req), parsed.data);
    res.flash('success', 'media.moderation.masked');
    res.redirect(303, backTo(req, row.event_id));
  });

  router.post('/organise/submissions/:id/handin', requireActor, async (req, res) => {
    await moderation.submissionOf(deps, req.actor, idParam(req));
    const data = parseOrThrow(handinForm, req.body);
    const row = await moderation.recordHandin(deps, req.actor, idParam(req), data.handin_status || null, data.handin_to);
    res.flash('success', 'media.moderation.handinSaved');
    res.redirect(303, backTo(req, row.event_id));
  });

  router.get('/organise/prisoners/:id/portrait', requireUser, async (req, res) => {
    const state = await moderation.portraitForm(deps, req.user, idParam(req));
    res.page('portrait', { ...state, title: req.t('media.portrait.title', { name: state.prisoner.name }), errors: {} });
  });

  router.post('/organise/prisoners/:id/portrait', requireUser, ...multipartWithCsrf(deps, 'portrait', 1), async (req, res) => {
    const id = idParam(req);
    await moderation.portraitForm(deps, req.user, id); // ownership before any word about the file
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const result = res.locals.uploadError
      ? { ok: false as const, errors: { portrait: res.locals.uploadError as string } }
      : await moderation.setPortrait(deps, req.user, id, files[0]?.buffer);
    if (!result.ok) {
      const state = await moderation.portraitForm(deps, req.user, id);
      return res.status(400).page('portrait', { ...state, title: req.t('media.portrait.title', { name: state.prisoner.name }), errors: result.errors });
    }
    res.flash('success', 'media.portrait.saved');
    res.redirect(303, `/organise/prisoners/${id}/portrait`);
  });

  return router;
}
