// Serving stored media. Public addresses answer only for approved submissions of published
// events (anything else is 404, even for a correctly guessed address); moderators preview
// pending files under /organise/media; portraits are public once set.
import { Router, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import * as moderation from '../services/moderation';
import type { MediaFile } from '../services/moderation';

async function send(req: Request, res: Response, file: MediaFile, cache: string) {
  res.set('Content-Type', file.contentType);
  res.set('Cache-Control', cache);
  // A PDF opens as a download with a neutral name, and can never run as a page of this site.
  if (file.contentType === 'application/pdf') {
    res.set('Content-Disposition', 'attachment; filename="letter.pdf"');
    res.set('Content-Security-Policy', "sandbox; default-src 'none'");
    // Long letters are read by PDF viewers a range at a time. One range only (the RFC lets a
    // server answer several with the whole file); with If-Range the whole file is always safe.
    res.set('Accept-Ranges', 'bytes');
    if (req.headers.range && !req.headers['if-range']) {
      const size = await file.size();
      const ranges = req.range(size, { combine: true });
      if (ranges === -1) {
        res.set('Content-Range', `bytes */${size}`);
        res.status(416).end();
        return;
      }
      if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
        const { start, end } = ranges[0];
        res.status(206).set('Content-Range', `bytes ${start}-${end}/${size}`);
        res.send(await file.slice(start, end));
        return;
      }
    }
  }
  res.send(await file.whole());
}

export function mediaRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/media/portraits/:key/:size', async (req, res) => {
    await send(req, res, await moderation.portraitFile(deps, req.params.key, req.params.size), 'public, max-age=3600');
  });

  router.get('/media/:key/:size', async (req, res) => {
    await send(req, res, await moderation.publicFile(deps, req.params.key, req.params.size), 'public, max-age=3600');
  });

  router.get('/organise/media/:key/:size', async (req, res) => {
    await send(req, res, await moderation.previewFile(deps, req.actor, req.params.key, req.params.size), 'private, no-store');
  });

  return router;
}
