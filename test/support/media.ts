// Test pictures and uploads for the media tests: real images made with sharp, carrying the
// metadata a phone camera writes (GPS, make, model, serial) and any EXIF orientation.
import sharp from 'sharp';
import request from 'supertest';
import { csrfFrom } from './harness';

type Agent = ReturnType<typeof request.agent>;

export const QUADRANT_COLOURS = { topLeft: [255, 0, 0], topRight: [0, 160, 0], bottomLeft: [0, 0, 255], bottomRight: [255, 255, 255] };

/** An upright, asymmetric picture: four coloured quadrants, wider than tall. */
export async function uprightPicture(width = 240, height = 120): Promise<Buffer> {
  const w = width / 2;
  const h = height / 2;
  const block = (rgb: number[]) => sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  const c = QUADRANT_COLOURS;
  return sharp({ create: { width, height, channels: 3, background: '#000' } })
    .composite([
      { input: await block(c.topLeft), left: 0, top: 0 },
      { input: await block(c.topRight), left: w, top: 0 },
      { input: await block(c.bottomLeft), left: 0, top: h },
      { input: await block(c.bottomRight), left: w, top: h },
    ])
    .png()
    .toBuffer();
}

/** Stores `upright` the way a camera would for `orientation`: pixels turned, EXIF tag telling how to turn them back. */
export async function cameraPhoto(orientation = 1, options: { upright?: Buffer; format?: 'jpeg' | 'png' | 'webp' } = {}): Promise<Buffer> {
  let pixels = options.upright ?? (await uprightPicture());
  const step = (fn: (s: sharp.Sharp) => sharp.Sharp) => fn(sharp(pixels)).png().toBuffer();
  // The inverse of what a viewer does for each orientation.
  if (orientation === 2) pixels = await step((s) => s.flop());
  if (orientation === 3) pixels = await step((s) => s.rotate(180));
  if (orientation === 4) pixels = await step((s) => s.flip());
  if (orientation === 5 || orientation === 7) pixels = await step((s) => s.rotate(90)); // then mirrored:
  if (orientation === 5) pixels = await step((s) => s.flop()); // transpose
  if (orientation === 6) pixels = await step((s) => s.rotate(270));
  if (orientation === 7) pixels = await step((s) => s.flip()); // transverse
  if (orientation === 8) pixels = await step((s) => s.rotate(90));
  const tagged = sharp(pixels)
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS 5D Mark IV', Software: 'Firmware 1.2', Artist: 'Anna Activist', Copyright: 'Anna Activist' },
      IFD2: { BodySerialNumber: 'SN-0123456789', DateTimeOriginal: '2026:11:20 14:03:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 3230/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 11/1 1932/100' },
    })
    .withMetadata({ orientation });
  const format = options.format ?? 'jpeg';
  return format === 'png' ? tagged.png().toBuffer() : format === 'webp' ? tagged.webp().toBuffer() : tagged.jpeg({ quality: 95 }).toBuffer();
}

/** The colour at fractions (fx, fy) of a picture. */
export async function colourAt(data: Buffer, fx: number, fy: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = Math.floor(fx * (info.width - 1));
  const y = Math.floor(fy * (info.height - 1));
  const i = (y * info.width + x) * info.channels;
  return [raw[i], raw[i + 1], raw[i + 2]];
}

export function near(actual: number[], expected: number[], tolerance = 40): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

/** The four quadrant colours, checked as a user would: top-left red, top-right green, ... */
export async function isUpright(data: Buffer): Promise<boolean> {
  const c = QUADRANT_COLOURS;
  const meta = await sharp(data).metadata();
  return (
    meta.width! > meta.height! &&
    near(await colourAt(data, 0.25, 0.25), c.topLeft) &&
    near(await colourAt(data, 0.75, 0.25), c.topRight) &&
    near(await colourAt(data, 0.25, 0.75), c.bottomLeft) &&
    near(await colourAt(data, 0.75, 0.75), c.bottomRight)
  );
}

/** Standard deviation of the pixel values inside a region (fractions): low means blurred flat. */
export async function detailIn(data: Buffer, r: { x: number; y: number; w: number; h: number }): Promise<number> {
  const { width = 0, height = 0 } = await sharp(data).metadata();
  const region = { left: Math.floor(r.x * width), top: Math.floor(r.y * height), width: Math.max(1, Math.floor(r.w * width)), height: Math.max(1, Math.floor(r.h * height)) };
  // stats() reads its input, not the pipeline: cut the region out first.
  const cut = await sharp(data).extract(region).greyscale().png().toBuffer();
  const stats = await sharp(cut).stats();
  return stats.channels[0].stdev;
}

/** A picture full of fine detail (a checkerboard), where a blur shows. */
export async function detailedPicture(width = 800, height = 600, cell = 6): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 255 : 0;
      raw.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

export interface UploadFile {
  data: Buffer;
  filename?: string;
  contentType?: string;
}

/** Sends the upload form the way a browser does (multipart, token in the form). */
export async function upload(
  agent: Agent,
  eventId: number,
  fields: Record<string, string>,
  files: UploadFile[],
  options: { json?: boolean; csrf?: boolean } = {},
) {
  const page = await agent.get(`/events/${eventId}/upload`);
  let req = agent.post(`/events/${eventId}/submissions`);
  if (options.json) req = req.set('Accept', 'application/json');
  if (options.csrf !== false) req = req.field('_csrf', csrfFrom(page.text));
  for (const [k, v] of Object.entries({ kind: 'photo', consent: 'on', ...fields })) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.data, { filename: f.filename ?? 'IMG_0001.jpg', contentType: f.contentType ?? 'image/jpeg' });
  return req;
}
