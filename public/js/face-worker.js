// Finds faces in a picture, on this device: face-api's SSD MobileNet model, run by TensorFlow.js
// on WebAssembly (or plain JavaScript where WebAssembly is unavailable). Model and code come from
// Picket itself; the picture never leaves the browser. Receives { id, bitmap }, answers
// { id, faces: [{ x, y, w, h, score }] (fractions of the picture), backend, ms } or { id, error }.
import * as faceapi from '/vendor/faces/face-api.esm.js';

// Enough detail for the model (it looks at 512 x 512) without copying a 12-megapixel photo around.
const LONGEST_SIDE = 1600;
const MIN_CONFIDENCE = 0.3;

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
    const found = await faceapi.detectAllFaces(pixels, new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: 100 }));
    return found.map((d) => ({ x: d.relativeBox.x, y: d.relativeBox.y, w: d.relativeBox.width, h: d.relativeBox.height, score: d.score }));
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
