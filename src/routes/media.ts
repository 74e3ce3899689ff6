// Serving stored media. Public addresses answer only for approved submissions of published
// events (anything else is 404, even for a correctly guessed address); moderators preview
// pending files under /organise/media; portraits are public once set.
import { Router, Response } from 'express';
import type { AppDeps } from '../deps';
import * as moderation from '../services/moderation';
import type { MediaFile } from '../services/moderation';

function send(res: Response, file: MediaFile, cache: string) {
  res.set('Content-Type', file.contentType);
  res.set('Cache-Control', cache);
  // A PDF opens as a download with a neutral name, and can never run as a page of this site.
  if (file.contentType === 'application/pdf') {
    res.set('Content-Disposition', 'attachment; filename="letter.pdf"');
    res.set('Content-Security-Policy', "sandbox; default-src 'none'");
  }
  res.send(file.data);
}

export function mediaRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/media/portraits/:key/:size', async (req, res) => {
    send(res, await moderation.portraitFile(deps, req.params.key, req.params.size), 'public, max-age=3600');
  });

  router.get('/media/:key/:size', async (req, res) => {
    send(res, await moderation.publicFile(deps, req.params.key, req.params.size), 'public, max-age=3600');
  });

  router.get('/organise/media/:key/:size', async (req, res) => {
    send(res, await moderation.previewFile(deps, req.user, req.params.key, req.params.size), 'private, no-store');
  });

  return router;
}
