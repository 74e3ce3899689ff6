// Photos and letters from participants (no account needed): the upload page and the multipart
// POST. Multipart bodies reach only routes that take files (see routes/protection.ts), which check
// the request here, after multer.
import { Router, Request, Response, RequestHandler } from 'express';
import multer from 'multer';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { takesFiles } from '../lib/route-table';
import { checkbox, optionalText, parse } from '../lib/validation';
import { fewAtATime } from '../lib/upload-slots';
import { limitRequests } from '../lib/rate-limits';
import * as submissions from '../services/submissions';
import { keyFrom } from '../services/idempotency';
import { uploadPage } from '../services/media-page';
import { uploadMasks } from './masks';
import { SUBMISSION_KINDS } from '../domain/enums';

const MAX_FILES = 20;
/** Uploads read and processed at once; the others wait unread (TCP holds their bytes), which bounds memory. */
const UPLOAD_SLOTS = 4;

/** Upload slots; a body slower than UPLOAD_MIN_BYTES_PER_SECOND over UPLOAD_STALL_SECONDS loses its slot. */
function uploadSlots({ config }: Pick<AppDeps, 'config'>): RequestHandler {
  return fewAtATime(UPLOAD_SLOTS, {
    minBytesPerSecond: config.UPLOAD_MIN_BYTES_PER_SECOND,
    stallMs: config.UPLOAD_STALL_SECONDS * 1000,
    message: (req) => req.t('errors.slowUpload'),
  });
}

const uploadForm = z.object({
  kind: z.enum(SUBMISSION_KINDS, { message: 'errors.invalid' }),
  caption: optionalText(500),
  name: optionalText(100),
  letter_text: optionalText(20_000),
  consent: checkbox().refine((v) => v, 'media.errors.consent'),
  masks: uploadMasks,
});

/** Parses multipart into memory (nothing touches the disk before it is checked), then checks CSRF. */
export function multipartWithCsrf(deps: AppDeps, field: string, maxCount: number, slots = uploadSlots(deps)): RequestHandler[] {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: deps.config.UPLOAD_MAX_MB * 1024 * 1024, files: maxCount, fields: 20, fieldSize: 100_000 },
  }).array(field, maxCount);
  const parseBody: RequestHandler = takesFiles((req, res, next) =>
    upload(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        res.locals.uploadError = error.code === 'LIMIT_FILE_SIZE' ? 'media.errors.tooLarge' : 'media.errors.tooMany';
        req.body = req.body ?? {};
        return next();
      }
      next(error);
    }));
  const check: RequestHandler = (req, res, next) => req.app.locals.protection.afterUpload(req, res, next);
  return [slots, parseBody, check];
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

function eventId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new NotFound();
  return id;
}

export function submissionsRouter(deps: AppDeps): Router {
  const router = Router();

  const showForm = async (req: Request, res: Response, status: number, values: Record<string, unknown>, errors: Record<string, string>) => {
    const { event, title, extras } = await uploadPage(deps, eventId(req), req);
    res.status(status).page('submission-new', {
      title: req.t('media.upload.pageTitle', { title }),
      event,
      ...extras,
      values,
      errors,
      head: '<link rel="stylesheet" href="/public/css/media.css">',
    });
  };

  router.get('/events/:id/upload', async (req, res) => {
    await showForm(req, res, 200, { kind: req.query.kind === 'letter' ? 'letter' : 'photo' }, {});
  });

  // Uploads per client address, counted before the body is read, so a flood costs little.
  const limiter = limitRequests(deps.db, {
    name: 'upload', points: deps.config.UPLOAD_RATE_LIMIT, seconds: 10 * 60, secret: deps.sessionSecret,
    key: (req) => ipKeyGenerator(req.ip ?? ''),
    refuse: (req, res) => {
      if (wantsJson(req)) return res.status(429).json({ error: req.t('errors.tooManyRequests'), status: 429 });
      res.status(429).page('message', { title: req.t('errors.tooManyRequests'), messageKey: 'errors.explain.429' });
    },
  });

  router.post('/events/:id/submissions', limiter, ...multipartWithCsrf(deps, 'files', MAX_FILES), async (req: Request, res: Response) => {
    const id = eventId(req);
    const values = { kind: req.body.kind, caption: req.body.caption ?? '', name: req.body.name ?? '', letter_text: req.body.letter_text ?? '' };
    const fail = async (status: number, errors: Record<string, string>) => {
      if (wantsJson(req)) {
        const fields = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, req.t(v, { mb: deps.config.UPLOAD_MAX_MB })]));
        return res.status(status).json({ error: Object.values(fields)[0], status, fields });
      }
      await showForm(req, res, status, values, errors);
    };
    if (res.locals.uploadError) {
      await submissions.eventForUpload(deps, id);
      return fail(res.locals.uploadError === 'media.errors.tooLarge' ? 413 : 400, { files: res.locals.uploadError });
    }
    const key = keyFrom(req.get('idempotency-key') ?? req.body.idempotency_key);
    if (key === 'invalid') return fail(400, { idempotency_key: 'errors.invalid' });
    const parsed = parse(uploadForm, req.body);
    if (!parsed.ok) return fail(400, parsed.errors);
    const files = ((req.files as Express.Multer.File[] | undefined) ?? []).filter((f) => f.size > 0).map((f) => f.buffer);
    if (parsed.data.masks.length > Math.max(files.length, 1)) return fail(400, { masks: 'media.errors.masksUnreadable' });
    const result = await submissions.receive(deps, {
      eventId: id,
      kind: parsed.data.kind,
      caption: parsed.data.caption,
      submitterName: parsed.data.name,
      letterText: parsed.data.letter_text,
      files,
      masks: parsed.data.masks,
      idempotencyKey: key,
    });
    if (!result.ok) return fail(400, result.errors);
    const message = req.t('media.upload.received', { count: result.submissions.length });
    if (wantsJson(req)) {
      if (result.replayed) res.set('Idempotent-Replayed', 'true');
      return res.status(201).json({ ok: true, count: result.submissions.length, message });
    }
    res.flash('success', 'media.upload.received', { count: result.submissions.length });
    res.redirect(303, `/events/${id}/upload`);
  });

  return router;
}
