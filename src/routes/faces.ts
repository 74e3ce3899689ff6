// The face detector, served by Picket itself from node_modules: no CDN, no third party, and
// nothing about a photo leaves the phone. The detector runs in a worker; only the worker's own
// policy allows compiling WebAssembly ('wasm-unsafe-eval'), so pages keep the strict CSP.
import path from 'node:path';
import { Router } from 'express';
import { NotFound } from '../lib/errors';

const root = path.resolve(__dirname, '../..');
const faceApi = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
const tfjsWasm = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

/** Only the files the detector loads: the browser bundle, one model, the WASM builds. */
const FILES: Record<string, string> = {
  'face-api.esm.js': path.join(faceApi, 'dist/face-api.esm.js'),
  'ssd_mobilenetv1_model-weights_manifest.json': path.join(faceApi, 'model/ssd_mobilenetv1_model-weights_manifest.json'),
  'ssd_mobilenetv1_model.bin': path.join(faceApi, 'model/ssd_mobilenetv1_model.bin'),
  'tfjs-backend-wasm.wasm': path.join(tfjsWasm, 'tfjs-backend-wasm.wasm'),
  'tfjs-backend-wasm-simd.wasm': path.join(tfjsWasm, 'tfjs-backend-wasm-simd.wasm'),
  'tfjs-backend-wasm-threaded-simd.wasm': path.join(tfjsWasm, 'tfjs-backend-wasm-threaded-simd.wasm'),
};

export const WORKER_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

export function facesRouter(): Router {
  const router = Router();

  router.get('/public/js/face-worker.js', (_req, res) => {
    res.setHeader('Content-Security-Policy', WORKER_CSP);
    res.sendFile(path.join(root, 'public/js/face-worker.js'), { maxAge: '1h' });
  });

  router.get('/vendor/faces/:file', (req, res) => {
    const file = FILES[req.params.file];
    if (!file) throw new NotFound();
    res.sendFile(file, { maxAge: '7d' });
  });

  return router;
}
