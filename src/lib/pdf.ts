// Letters uploaded as PDF are rebuilt, never cleaned: a fresh document gets, for each page, its
// size, its drawing (the decoded content stream) and what the drawing uses (fonts, images, colour
// spaces: the page's resources), and nothing else. Document info, XMP, file identifiers,
// attachments, forms, outlines, annotations, links and every action live outside that and are
// simply never copied. Inside the copied resources, the two keys that carry metadata there
// (Metadata, PieceInfo) are left out and embedded JPEGs lose their EXIF/XMP segments. Documents
// that run code are refused with a message (so the sender knows), and the result is read back
// and checked before it is stored.
import {
  decodePDFRawStream, PDFArray, PDFContentStream, PDFDict, PDFDocument, PDFName, PDFNumber, PDFObject,
  PDFObjectCopier, PDFRawStream, PDFRef, PDFStream,
} from 'pdf-lib';
import { MediaRefused } from './images';

const MAX_PAGES = 40;

/** Keys that only ever hold or trigger code: their presence refuses the document. */
const CODE_KEYS = ['JS', 'JavaScript', 'Launch', 'RichMedia', 'XFA'];
const CODE_ACTIONS = ['JavaScript', 'Launch', 'ImportData', 'SubmitForm', 'RichMediaExecute', 'GoToE'];
/** Keys of the catalogue, pages or trailer that the rebuilt document must not have. */
const OUTSIDE_PAGE_CONTENT = ['OpenAction', 'AA', 'Names', 'AcroForm', 'Annots', 'EmbeddedFiles', 'Outlines', 'Metadata', 'PieceInfo'];
/** The only keys inside copied resources that carry metadata rather than drawing. */
const METADATA_KEYS = ['Metadata', 'PieceInfo'];

type Visit = (dict: PDFDict) => void;

/** Calls `visit` on every dictionary of the document, direct or indirect (streams included). */
function eachDict(doc: PDFDocument, visit: Visit): void {
  const seen = new Set<PDFObject>();
  const walk = (obj: PDFObject | undefined): void => {
    if (!obj || obj instanceof PDFRef || seen.has(obj)) return;
    seen.add(obj);
    if (obj instanceof PDFStream) return walk(obj.dict);
    if (obj instanceof PDFArray) return obj.asArray().forEach(walk);
    if (obj instanceof PDFDict) {
      visit(obj);
      for (const [, value] of obj.entries()) walk(value);
    }
  };
  for (const [, obj] of doc.context.enumerateIndirectObjects()) walk(obj);
  walk(doc.context.trailerInfo.Info as PDFObject | undefined);
}

function runsCode(doc: PDFDocument): boolean {
  let found = false;
  eachDict(doc, (dict) => {
    for (const key of CODE_KEYS) if (dict.has(PDFName.of(key))) found = true;
    const action = dict.get(PDFName.of('S'));
    if (action instanceof PDFName && CODE_ACTIONS.includes(action.decodeText())) found = true;
  });
  return found;
}

function hasMetadata(doc: PDFDocument): boolean {
  if (doc.context.trailerInfo.Info || doc.context.trailerInfo.ID) return true;
  let found = false;
  eachDict(doc, (dict) => {
    for (const key of METADATA_KEYS) if (dict.has(PDFName.of(key))) found = true;
    const type = dict.get(PDFName.of('Type'));
    if (type instanceof PDFName && ['Metadata', 'EmbeddedFile', 'Filespec'].includes(type.decodeText())) found = true;
  });
  return found;
}

/**
 * Drops APP1..APP15 and comment segments of a JPEG (EXIF, GPS, XMP, IPTC); keeps APP0/APP14 colour hints.
 * Hand-written (15 lines of the JPEG header format): sharp or exifr would re-encode or only read, and
 * an image inside a PDF must keep its exact compressed bytes.
 */
export function stripJpegSegments(data: Uint8Array): Uint8Array {
  if (data[0] !== 0xff || data[1] !== 0xd8) return data;
  const parts: Uint8Array[] = [data.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= data.length && data[i] === 0xff) {
    const marker = data[i + 1];
    if (marker === 0xda) break;
    const length = (data[i + 2] << 8) | data[i + 3];
    const keep = !((marker >= 0xe1 && marker <= 0xef && marker !== 0xee) || marker === 0xfe);
    if (keep) parts.push(data.subarray(i, i + 2 + length));
    i += 2 + length;
  }
  parts.push(data.subarray(i));
  return Buffer.concat(parts);
}

async function load(data: Buffer): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(data, { updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    // Encrypted, damaged or not really a PDF.
    throw new MediaRefused('media.errors.corruptPdf');
  }
}

/** A box ([x0 y0 x1 y1]) as four plain numbers, or undefined when it is anything else. */
function box(value: PDFObject | undefined): number[] | undefined {
  if (!(value instanceof PDFArray) || value.size() !== 4) return undefined;
  const numbers = value.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/** The page's drawing as one decoded content stream (a page may split it into several). */
function pageContent(source: PDFDocument, contents: PDFArray | undefined): Buffer {
  const parts: Uint8Array[] = [];
  for (const item of contents?.asArray() ?? []) {
    const stream = item instanceof PDFRef ? source.context.lookup(item) : item;
    const bytes = stream instanceof PDFRawStream ? decodePDFRawStream(stream).decode()
      : stream instanceof PDFContentStream ? stream.getUnencodedContents()
      : undefined;
    if (!bytes) throw new MediaRefused('media.errors.corruptPdf');
    parts.push(bytes, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/**
 * A new document with the pages of `source`: size, rotation, drawing and resources, nothing else.
 * Changes `source` (its metadata keys go first). Exported for tests; uploads go through cleanPdf,
 * which also refuses documents that run code.
 */
export async function rebuildPdf(source: PDFDocument): Promise<PDFDocument> {
  // updateMetadata: false, or pdf-lib would write its own producer, creator and dates.
  const out = await PDFDocument.create({ updateMetadata: false });
  // The copier follows every reference of what it copies: take the metadata keys off the source
  // first, so an image's XMP stream is never reached (an object copied and then unlinked is still written).
  eachDict(source, (dict) => {
    for (const key of METADATA_KEYS) dict.delete(PDFName.of(key));
  });
  // A filled-in form shows its answers in the fields' appearances, outside the page's drawing: draw
  // them into the page first (pdf-lib's flatten), so what the sender saw stays and the form goes.
  try {
    source.getForm().flatten({ updateFieldAppearances: false });
  } catch {
    // A form pdf-lib cannot read: its fields are left out, the pages themselves still come through.
  }
  const copier = PDFObjectCopier.for(source.context, out.context);
  for (const page of source.getPages()) {
    const { Resources, Contents } = page.node.normalizedEntries();
    const mediaBox = box(page.node.MediaBox()) ?? [0, 0, 612, 792];
    const copy = out.addPage([mediaBox[2] - mediaBox[0], mediaBox[3] - mediaBox[1]]);
    copy.node.set(PDFName.of('MediaBox'), out.context.obj(mediaBox));
    const cropBox = box(page.node.CropBox());
    if (cropBox) copy.node.set(PDFName.of('CropBox'), out.context.obj(cropBox));
    copy.setRotation(page.getRotation());
    copy.node.set(PDFName.of('Resources'), copier.copy(Resources ?? out.context.obj({})));
    const content = out.context.flateStream(pageContent(source, Contents));
    copy.node.set(PDFName.of('Contents'), out.context.obj([out.context.register(content)]));
  }
  // Photos of a letter embedded as JPEG keep their camera EXIF unless removed here.
  for (const [ref, obj] of out.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const filter = obj.dict.get(PDFName.of('Filter'));
    const isJpeg = filter instanceof PDFName ? filter.decodeText() === 'DCTDecode'
      : filter instanceof PDFArray && filter.size() === 1 && String(filter.get(0)) === '/DCTDecode';
    if (!isJpeg) continue;
    const contents = stripJpegSegments(obj.contents);
    if (contents.length === obj.contents.length) continue;
    const dict = obj.dict.clone(out.context);
    dict.set(PDFName.of('Length'), PDFNumber.of(contents.length));
    out.context.assign(ref, PDFRawStream.of(dict, contents));
  }
  return out;
}

/** Returns the letter rebuilt from its pages; refuses documents that run code, are damaged or too long. */
export async function cleanPdf(data: Buffer): Promise<Buffer> {
  const doc = await load(data);
  if (doc.getPageCount() < 1 || doc.getPageCount() > MAX_PAGES) throw new MediaRefused('media.errors.corruptPdf');
  if (runsCode(doc)) throw new MediaRefused('media.errors.pdfScript');
  let rebuilt: PDFDocument;
  try {
    rebuilt = await rebuildPdf(doc);
  } catch (error) {
    if (error instanceof MediaRefused) throw error;
    throw new MediaRefused('media.errors.corruptPdf'); // a content stream pdf-lib cannot decode
  }
  const cleaned = Buffer.from(await rebuilt.save({ useObjectStreams: false, updateFieldAppearances: false }));
  await assertCleanPdf(cleaned);
  return cleaned;
}

/** Refuses (throws) when a PDF has document info, XMP, attachments, forms, annotations or code. */
export async function assertCleanPdf(data: Buffer): Promise<void> {
  const doc = await load(data);
  if (hasMetadata(doc)) throw new MediaRefused('media.errors.metadataLeft');
  if (runsCode(doc)) throw new MediaRefused('media.errors.pdfScript');
  const outside = (dict: PDFDict) => OUTSIDE_PAGE_CONTENT.some((key) => dict.has(PDFName.of(key)));
  if (outside(doc.catalog) || doc.getPages().some((page) => outside(page.node))) throw new MediaRefused('media.errors.metadataLeft');
}
