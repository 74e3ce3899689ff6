// Finds faces in a picture, on this device: face-api's SSD MobileNet model, run by TensorFlow.js
// on WebAssembly (or plain JavaScript where WebAssembly is unavailable). Model and code come from
// Picket itself; the picture never leaves the browser. Receives { id, bitmap }, answers
// { id, faces: [{ x, y, w, h, score }] (fractions of the picture), backend, ms } or { id, error }.
import * as faceapi from '/vendor/faces/face-api.esm.js';

// Enough detail for the model (it looks at 512 x 512) without copying a 12-megapixel photo around.
const LONGEST_SIDE = 1600;
const MIN_CONFIDENCE = 0.3;
// Pictures at least this large are also looked at in quarters, where small faces are found.
const TILE_FROM = 800;

// face-api looks for a window; a worker has OffscreenCanvas instead.
faceapi.env.setEnv({
  Canvas: OffscreenCanvas,
  CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
  Image: ImageBitmap,
  ImageData: ImageData,
  Video: class {},
  createCanvasElement: () => new OffscreenCanvas(1, 1),
  createImageElement: () => { throw new Error('not available in a worker'); },
  fetch: (...args) => fetch(...args),
  readFile: () => { throw new Error('not available in a worker'); },
});

const ready = (async () => {
  faceapi.tf.setWasmPaths('/vendor/faces/');
  let backend = 'wasm';
  try {
    if (!(await faceapi.tf.setBackend('wasm'))) throw new Error('no wasm');
  } catch (e) {
    backend = 'cpu';
    await faceapi.tf.setBackend('cpu');
  }
  await faceapi.tf.ready();
  await faceapi.nets.ssdMobilenetv1.loadFromUri('/vendor/faces');
  return backend;
})();

/** Faces in `pixels` (a [height, width, 3] tensor), as boxes in pixels of it. */
async function facesIn(pixels) {
  const found = await faceapi.detectAllFaces(pixels, new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: 100 }));
  return found.map((d) => ({ x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height, score: d.score }));
}

function overlap(a, b) {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.w * a.h, b.w * b.h);
}

/**
 * The model sees 512 x 512 pixels, so in a group photo each face is a few pixels wide. It looks
 * at the whole picture and then at overlapping quarters of it (faces four times larger); a face
 * found twice is kept once, with its surer box.
 */
async function detect(bitmap) {
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const pixels = faceapi.tf.browser.fromPixels(context.getImageData(0, 0, width, height));
  try {
    let faces = await facesIn(pixels);
    if (Math.max(width, height) >= TILE_FROM) {
      const tw = Math.round(width * 0.6);
      const th = Math.round(height * 0.6);
      for (const [left, top] of [[0, 0], [width - tw, 0], [0, height - th], [width - tw, height - th]]) {
        const tile = faceapi.tf.slice(pixels, [top, left, 0], [th, tw, 3]);
        try {
          faces = faces.concat((await facesIn(tile)).map((f) => ({ ...f, x: f.x + left, y: f.y + top })));
        } finally {
          tile.dispose();
        }
      }
    }
    const kept = [];
    for (const face of faces.sort((a, b) => b.score - a.score)) {
      if (!kept.some((k) => overlap(k, face) > 0.5)) kept.push(face);
    }
    return kept.map((f) => ({ x: f.x / width, y: f.y / height, w: f.w / width, h: f.h / height, score: f.score }));
  } finally {
    pixels.dispose();
  }
}

self.addEventListener('message', async (event) => {
  const { id, bitmap } = event.data;
  try {
    const backend = await ready;
    const started = performance.now();
    const faces = await detect(bitmap);
    self.postMessage({ id, faces, backend, ms: Math.round(performance.now() - started) });
  } catch (error) {
    self.postMessage({ id, error: String((error && error.message) || error) });
  }
});
