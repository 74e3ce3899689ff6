// Letters uploaded as PDF: the document info (author, creator, producer, title, subject,
// keywords), XMP packets and metadata inside embedded JPEGs are removed; documents that run
// code (JavaScript, launch actions) are refused; the result is read back and checked.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFObject, PDFRawStream, PDFRef, PDFStream } from 'pdf-lib';
import { MediaRefused } from './images';

const MAX_PAGES = 40;

/** Keys that only ever hold or trigger code: their presence refuses the document. */
const CODE_KEYS = ['JS', 'JavaScript', 'Launch', 'RichMedia', 'XFA'];
const CODE_ACTIONS = ['JavaScript', 'Launch', 'ImportData', 'SubmitForm', 'RichMediaExecute', 'GoToE'];
/** Keys that run something on opening or on events: removed (benign uses are only navigation). */
const TRIGGER_KEYS = ['OpenAction', 'AA', 'EmbeddedFiles'];
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

/** Removes objects nothing points to any more (the old document info, XMP packets): pdf-lib would write them out. */
function dropUnreachable(doc: PDFDocument): void {
  const reachable = new Set<string>();
  const walk = (obj: PDFObject | undefined): void => {
    if (!obj) return;
    if (obj instanceof PDFRef) {
      if (reachable.has(obj.toString())) return;
      reachable.add(obj.toString());
      return walk(doc.context.lookup(obj));
    }
    if (obj instanceof PDFStream) return walk(obj.dict);
    if (obj instanceof PDFArray) return obj.asArray().forEach(walk);
    if (obj instanceof PDFDict) for (const [, value] of obj.entries()) walk(value);
  };
  walk(doc.context.trailerInfo.Root as PDFObject);
  for (const [ref] of doc.context.enumerateIndirectObjects()) {
    if (!reachable.has(ref.toString())) doc.context.delete(ref);
  }
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
  if (doc.context.trailerInfo.Info) return true;
  let found = false;
  eachDict(doc, (dict) => {
    for (const key of METADATA_KEYS) if (dict.has(PDFName.of(key))) found = true;
    const type = dict.get(PDFName.of('Type'));
    if (type instanceof PDFName && type.decodeText() === 'Metadata') found = true;
  });
  return found;
}

/** Drops APP1..APP15 and comment segments of a JPEG (EXIF, GPS, XMP, IPTC); keeps APP0/APP14 colour hints. */
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

/** Returns a copy of the letter without metadata or triggers; refuses documents that run code. */
export async function cleanPdf(data: Buffer): Promise<Buffer> {
  const doc = await load(data);
  if (doc.getPageCount() < 1 || doc.getPageCount() > MAX_PAGES) throw new MediaRefused('media.errors.corruptPdf');
  if (runsCode(doc)) throw new MediaRefused('media.errors.pdfScript');

  delete doc.context.trailerInfo.Info;
  delete doc.context.trailerInfo.ID; // file identifiers can link copies of a document
  eachDict(doc, (dict) => {
    for (const key of [...METADATA_KEYS, ...TRIGGER_KEYS]) dict.delete(PDFName.of(key));
  });
  // Photos of a letter embedded as JPEG keep their camera EXIF unless removed here.
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const filter = obj.dict.get(PDFName.of('Filter'));
    const isJpeg = filter instanceof PDFName ? filter.decodeText() === 'DCTDecode'
      : filter instanceof PDFArray && filter.size() === 1 && String(filter.get(0)) === '/DCTDecode';
    if (!isJpeg) continue;
    const contents = stripJpegSegments(obj.contents);
    if (contents.length === obj.contents.length) continue;
    const dict = obj.dict.clone(doc.context);
    dict.set(PDFName.of('Length'), PDFNumber.of(contents.length));
    doc.context.assign(ref, PDFRawStream.of(dict, contents));
  }

  dropUnreachable(doc);
  const cleaned = Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));
  await assertCleanPdf(cleaned);
  return cleaned;
}

/** Refuses (throws) when a PDF still has document info, XMP or code in it. */
export async function assertCleanPdf(data: Buffer): Promise<void> {
  const doc = await load(data);
  if (hasMetadata(doc)) throw new MediaRefused('media.errors.metadataLeft');
  if (runsCode(doc)) throw new MediaRefused('media.errors.pdfScript');
  const trigger = [...TRIGGER_KEYS].some((key) => doc.catalog.has(PDFName.of(key)));
  if (trigger) throw new MediaRefused('media.errors.pdfScript');
}
