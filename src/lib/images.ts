// Every uploaded image goes through here: decoded (never trusted), turned upright by its EXIF
// orientation, masked (solid boxes over the faces the sender marked), re-encoded without any
// metadata in a display and a thumbnail size, and checked afterwards, because a photo that still
// carries GPS, a camera serial or an unmasked face can put someone at risk.
import sharp from 'sharp';
import exifr from 'exifr';
import FileType from 'file-type';
// p-limit 3 is the last CommonJS major; later ones are ESM-only, which this CommonJS build cannot require.
import pLimit from 'p-limit';

// One libvips thread per image and no operation cache: many uploads at once must not
// multiply memory (see bench/upload).
sharp.concurrency(1);
sharp.cache(false);

/** A refusal the uploader should read: `reason` is an i18n key. */
export class MediaRefused extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'MediaRefused';
  }
}

export const SIZES = { display: 1600, thumb: 400 } as const;
export type ImageSize = keyof typeof SIZES;

export interface ProcessedImage {
  width: number;
  height: number;
  display: Buffer;
  thumb: Buffer;
}

/** Part of a picture to mask, as fractions (0..1) of its upright width and height. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The colour of a mask: solid, so nothing of the face is left to recover (a blur can be undone). */
const MASK_COLOUR = { r: 0, g: 0, b: 0 };

/** Solid boxes covering `regions` of a `width` x `height` picture, rounded outwards so no edge pixel escapes. */
function maskOverlays(regions: Region[], width: number, height: number): sharp.OverlayOptions[] {
  const overlays: sharp.OverlayOptions[] = [];
  for (const r of regions) {
    const left = Math.max(0, Math.floor(r.x * width));
    const top = Math.max(0, Math.floor(r.y * height));
    const right = Math.min(width, Math.ceil((r.x + r.w) * width));
    const bottom = Math.min(height, Math.ceil((r.y + r.h) * height));
    if (right - left < 1 || bottom - top < 1) continue;
    overlays.push({ input: { create: { width: right - left, height: bottom - top, channels: 3, background: MASK_COLOUR } }, left, top });
  }
  return overlays;
}

export type DetectedType = { mime: string; family: 'image' | 'heif' | 'pdf' };

const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif'];
const HEIF_MIMES = ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'];

/** The type a file really is, from its first bytes; null for anything we do not accept. */
export async function detectType(data: Buffer): Promise<DetectedType | null> {
  const found = await FileType.fromBuffer(data);
  if (!found) return null;
  if (IMAGE_MIMES.includes(found.mime)) return { mime: found.mime, family: 'image' };
  if (HEIF_MIMES.includes(found.mime)) return { mime: found.mime, family: 'heif' };
  if (found.mime === 'application/pdf') return { mime: found.mime, family: 'pdf' };
  return null;
}

// One image at a time: decoding a 12-megapixel photo takes ~100 MB, and uploads come in bursts.
const inTurn = pLimit(1);

const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp', 'heif'];

/** Opens `data` with sharp after checking its header; HEIC that sharp cannot decode goes through heic-decode. */
async function openImage(data: Buffer, type: DetectedType, maxPixels: number): Promise<sharp.Sharp> {
  const options: sharp.SharpOptions = { limitInputPixels: maxPixels, failOn: 'warning', sequentialRead: true };
  let meta: sharp.Metadata | undefined;
  try {
    meta = await sharp(data, options).metadata();
  } catch (error) {
    if (/pixel limit/i.test(String((error as Error).message))) throw new MediaRefused('media.errors.tooManyPixels');
    if (type.family !== 'heif') throw new MediaRefused('media.errors.corrupt');
  }
  if (meta) {
    if (!meta.format || !ACCEPTED_FORMATS.includes(meta.format)) throw new MediaRefused('media.errors.type');
    if (!meta.width || !meta.height) throw new MediaRefused('media.errors.corrupt');
    if (meta.width * meta.height > maxPixels) throw new MediaRefused('media.errors.tooManyPixels');
  }
  if (type.family !== 'heif') return sharp(data, options);
  // sharp's own libheif decodes AV1 only; phone HEIC photos (HEVC) need heic-decode.
  try {
    await sharp(data, options).raw().toBuffer({ resolveWithObject: false });
    return sharp(data, options);
  } catch {
    return decodeHeic(data, maxPixels);
  }
}

async function decodeHeic(data: Buffer, maxPixels: number): Promise<sharp.Sharp> {
  let images: Awaited<ReturnType<typeof import('heic-decode').all>>;
  try {
    // Loaded on first use: its WebAssembly decoder costs ~25 MB of memory that most servers never need.
    const heicDecode = (await import('heic-decode')).default;
    images = await heicDecode.all({ buffer: data });
  } catch {
    throw new MediaRefused('media.errors.corrupt');
  }
  try {
    const first = images[0];
    // The size is known before decoding: refuse a bomb before allocating its pixels.
    if (!first || first.width * first.height > maxPixels) throw new MediaRefused('media.errors.tooManyPixels');
    const { width, height, data: rgba } = await first.decode();
    return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
      raw: { width, height, channels: 4 },
      limitInputPixels: maxPixels,
    });
  } catch (error) {
    if (error instanceof MediaRefused) throw error;
    throw new MediaRefused('media.errors.corrupt');
  } finally {
    images.dispose();
  }
}

/** JPEG without metadata: sharp writes none unless asked (no withMetadata/keepExif here). */
function encode(image: sharp.Sharp, size: number): Promise<Buffer> {
  return image
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 82 })
    .toBuffer();
}

/**
 * Decodes, turns upright, masks `masks`, re-encodes in both sizes and verifies that no metadata is
 * left. The masks are drawn on the decoded pixels, before any file is encoded: no unmasked copy
 * of the picture is ever produced, so none can be stored.
 */
export async function processImage(data: Buffer, type: DetectedType, maxPixels: number, masks: Region[] = []): Promise<ProcessedImage> {
  if (type.family === 'pdf') throw new MediaRefused('media.errors.type');
  return inTurn(async () => {
    let pixels: Buffer;
    let info: sharp.OutputInfo;
    try {
      const image = await openImage(data, type, maxPixels);
      // rotate() with no angle applies the EXIF orientation and drops the tag; it must come first.
      ({ data: pixels, info } = await image
        .rotate()
        .resize({ width: SIZES.display, height: SIZES.display, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true }));
    } catch (error) {
      if (error instanceof MediaRefused) throw error;
      if (/pixel limit/i.test(String((error as Error).message))) throw new MediaRefused('media.errors.tooManyPixels');
      throw new MediaRefused('media.errors.corrupt');
    }
    const raw = { width: info.width, height: info.height, channels: info.channels };
    const display = await sharp(pixels, { raw })
      .composite(maskOverlays(masks, info.width, info.height))
      .jpeg({ quality: 82 })
      .toBuffer();
    const thumb = await encode(sharp(display), SIZES.thumb);
    await assertNoMetadata(display);
    await assertNoMetadata(thumb);
    return { width: info.width, height: info.height, display, thumb };
  });
}

/**
 * Masks `regions` of a stored display image with solid boxes (what a moderator adds before
 * approving); the thumbnail is rebuilt from the result, so both sizes carry every mask.
 */
export async function maskImage(display: Buffer, regions: Region[]): Promise<{ display: Buffer; thumb: Buffer }> {
  return inTurn(async () => {
    const { width = 0, height = 0 } = await sharp(display).metadata();
    const masked = await sharp(display).composite(maskOverlays(regions, width, height)).jpeg({ quality: 82 }).toBuffer();
    const thumb = await encode(sharp(masked), SIZES.thumb);
    await assertNoMetadata(masked);
    await assertNoMetadata(thumb);
    return { display: masked, thumb };
  });
}

/**
 * JPEG segments that may carry metadata: APP1 (EXIF/XMP), APP2 (ICC, FlashPix), APP13 (IPTC), COM.
 * Hand-written as a second opinion beside exifr: a walk over the header that knows no tag names
 * finds a segment that exifr does not parse.
 */
function jpegMetadataSegments(data: Buffer): number[] {
  const found: number[] = [];
  let i = 2;
  while (i + 4 <= data.length && data[i] === 0xff) {
    const marker = data[i + 1];
    if (marker === 0xda || marker === 0xd9) break; // start of scan: no more headers
    const length = data.readUInt16BE(i + 2);
    if ((marker >= 0xe1 && marker <= 0xef) || marker === 0xfe) found.push(marker);
    i += 2 + length;
  }
  return found;
}

/** Refuses (throws) when `data` still carries EXIF, GPS, XMP, IPTC, ICC or comments. */
export async function assertNoMetadata(data: Buffer): Promise<void> {
  const parsed = await exifr
    .parse(data, { tiff: true, ifd0: {}, exif: true, gps: true, interop: true, ifd1: true, xmp: true, iptc: true, icc: true, makerNote: true, userComment: true } as never)
    .catch(() => undefined);
  const meta = await sharp(data).metadata();
  const segments = meta.format === 'jpeg' ? jpegMetadataSegments(data) : [];
  if ((parsed && Object.keys(parsed).length) || meta.exif || meta.xmp || meta.iptc || meta.icc || meta.comments?.length || segments.length) {
    throw new MediaRefused('media.errors.metadataLeft');
  }
}
