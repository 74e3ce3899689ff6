// A participant sends the letter they handed in as a PDF straight from their computer: a file full
// of what their software put there (author, XMP, a filled-in form with their phone number, an
// attached file, links, scripts). What Picket stores is a new document holding only the pages:
// their size, their drawing, their fonts and images.
import exifr from 'exifr';
import request from 'supertest';
import {
  decodePDFRawStream, PDFArray, PDFContentStream, PDFDict, PDFDocument, PDFHexString, PDFName, PDFObject, PDFRawStream, PDFRef,
  PDFStream, PDFString, StandardFonts, degrees,
} from 'pdf-lib';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';
import type { SubmissionRow } from '../src/db/tables';
import { rebuildPdf } from '../src/lib/pdf';

let h: Harness;
let organiser: Awaited<ReturnType<typeof buildUser>>;
let eventId: number;

beforeAll(async () => {
  h = await createHarness();
  organiser = await buildUser(h.database.db);
  eventId = (await buildEvent(h.database.db, organiser, { starts_at: new Date(Date.now() - 5 * 3600_000) })).id;
});
afterAll(async () => {
  await h.close();
});

const LETTER_TEXT = 'Free all political prisoners';
const SECRETS = ['Anna Secret-Author', 'Anna XMP', 'Image XMP of Anna', '12 Secret Street', 'tracker.example', 'app.alert', 'phone-field-of-anna'];

/** A two-page letter carrying everything a careless or hostile program can put in a PDF. */
async function letterFullOfSecrets(options: { scripts: boolean }): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const first = doc.addPage([595, 842]);
  first.drawText(LETTER_TEXT, { x: 50, y: 780, size: 18, font });
  const photo = await doc.embedJpg(await cameraPhoto(1)); // with GPS and the camera's serial number
  first.drawImage(photo, { x: 50, y: 500, width: 240, height: 120 });
  const second = doc.addPage([842, 595]);
  second.drawText('Signed by 214 people', { x: 40, y: 500, size: 14, font });
  second.setRotation(degrees(90));

  // Document info, file identifiers and XMP, on the document and on the embedded photo.
  doc.setAuthor('Anna Secret-Author');
  doc.setCreator('Scanner of Anna');
  doc.setKeywords(['anna', 'home']);
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of('0123456789abcdef'), PDFHexString.of('0123456789abcdef')]);
  const xmp = (who: string) => doc.context.register(doc.context.stream(
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>${who}</dc:creator></x:xmpmeta>`, { Type: 'Metadata', Subtype: 'XML' },
  ));
  doc.catalog.set(PDFName.of('Metadata'), xmp('Anna XMP'));
  first.node.set(PDFName.of('PieceInfo'), doc.context.obj({ Scanner: { Private: PDFString.of('Anna XMP') } }));
  await doc.flush();
  (doc.context.lookup(photo.ref) as PDFRawStream).dict.set(PDFName.of('Metadata'), xmp('Image XMP of Anna'));

  // An attached file, a filled-in form field and a link that tells a tracker who opened it.
  await doc.attach(Buffer.from('Anna lives at 12 Secret Street'), 'address.txt', { mimeType: 'text/plain', description: '12 Secret Street' });
  const phone = doc.getForm().createTextField('phone-field-of-anna');
  phone.setText('+375 29 555 0101');
  phone.addToPage(first, { x: 50, y: 300, width: 200, height: 24 });
  const link = doc.context.obj({
    Type: 'Annot', Subtype: 'Link', Rect: [50, 200, 250, 220],
    A: { S: 'URI', URI: PDFString.of('https://tracker.example/anna') },
  });
  first.node.addAnnot(doc.context.register(link));
  await doc.flush(); // writes the attachment's name tree

  if (options.scripts) {
    const js = (code: string) => doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(code) });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(js('app.alert("opened")')));
    doc.catalog.set(PDFName.of('AA'), doc.context.obj({ WC: js('app.alert("closing")') }));
    first.node.set(PDFName.of('AA'), doc.context.obj({ O: js('app.alert("page")') }));
    const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict);
    names.set(PDFName.of('JavaScript'), doc.context.obj({ Names: [PDFString.of('x'), js('app.alert("named")')] }));
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Every object of a document, direct or indirect, reached or not: what a reader of the file could find. */
function everyObject(doc: PDFDocument): PDFObject[] {
  const found: PDFObject[] = [];
  const seen = new Set<PDFObject>();
  const walk = (obj: PDFObject | undefined): void => {
    if (!obj || obj instanceof PDFRef || seen.has(obj)) return;
    seen.add(obj);
    found.push(obj);
    if (obj instanceof PDFStream) walk(obj.dict);
    else if (obj instanceof PDFArray) obj.asArray().forEach(walk);
    else if (obj instanceof PDFDict) for (const [, value] of obj.entries()) walk(value);
  };
  for (const [, obj] of doc.context.enumerateIndirectObjects()) walk(obj);
  return found;
}

/** Everything readable in a PDF: its bytes, and each stream decoded (compressed streams hide text from a plain search). */
function allText(data: Buffer, doc: PDFDocument): string {
  const streams = everyObject(doc).filter((o): o is PDFRawStream => o instanceof PDFRawStream).map((s) => {
    try {
      return Buffer.from(decodePDFRawStream(s).decode()).toString('latin1');
    } catch {
      return ''; // images
    }
  });
  return [data.toString('latin1'), ...streams].join('\n');
}

/** The texts as a PDF may spell them: plain, or as UTF-16 hex (document info, form values). */
function spellings(text: string): string[] {
  return [text, Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase(), Buffer.from(text, 'utf16le').swap16().toString('hex')];
}

function pageDrawing(doc: PDFDocument, index: number): string {
  const contents = doc.getPage(index).node.normalizedEntries().Contents!;
  return contents.asArray().map((item) => {
    const stream = item instanceof PDFRef ? doc.context.lookup(item) : item;
    // pdf-lib wraps a loaded page's drawing in its own q/Q streams (PDFContentStream).
    if (stream instanceof PDFContentStream) return Buffer.from(stream.getUnencodedContents()).toString('latin1');
    if (!(stream instanceof PDFRawStream)) throw new Error(`a page content that is not a stream: ${stream}`);
    return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
  }).join('\n');
}

function expectOnlyPages(doc: PDFDocument, data: Buffer) {
  expect(doc.context.trailerInfo.Info).toBeUndefined();
  expect(doc.context.trailerInfo.ID).toBeUndefined();
  expect(doc.catalog.keys().map(String).sort()).toEqual(['/Pages', '/Type']);
  for (const page of doc.getPages()) {
    for (const key of page.node.keys().map(String)) expect(['/Type', '/Parent', '/MediaBox', '/CropBox', '/Rotate', '/Resources', '/Contents']).toContain(key);
  }
  for (const obj of everyObject(doc)) {
    if (!(obj instanceof PDFDict)) continue;
    for (const key of ['Metadata', 'PieceInfo', 'AA', 'OpenAction', 'A', 'JS', 'URI', 'EmbeddedFiles', 'EF', 'AcroForm', 'Annots', 'V']) {
      expect(obj.has(PDFName.of(key))).toBe(false);
    }
    const type = obj.get(PDFName.of('Type'));
    expect(['/Metadata', '/EmbeddedFile', '/Filespec', '/Annot', '/Action']).not.toContain(String(type));
  }
  const text = allText(data, doc);
  for (const secret of SECRETS) for (const spelling of spellings(secret)) expect(text).not.toContain(spelling);
}

async function expectTheLetterItself(original: Buffer, stored: Buffer) {
  const before = await PDFDocument.load(original, { updateMetadata: false });
  const after = await PDFDocument.load(stored, { updateMetadata: false });
  expect(after.getPageCount()).toBe(2);
  expect(after.getPages().map((p) => [p.getWidth(), p.getHeight(), p.getRotation().angle])).toEqual([[595, 842, 0], [842, 595, 90]]);
  // The drawing of each page (its text and where the photo goes) is the one that was sent.
  for (const i of [0, 1]) expect(pageDrawing(after, i)).toContain(pageDrawing(before, i).trim());
  const fonts = after.getPage(0).node.Resources()!.lookup(PDFName.of('Font'), PDFDict);
  const fontNames = fonts.values().map((ref) => String((after.context.lookup(ref) as PDFDict).get(PDFName.of('BaseFont'))));
  expect(fontNames).toContain('/Helvetica');
  // The photo is still there, the same size, without its camera's EXIF or GPS.
  const xobjects = after.getPage(0).node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
  const images = xobjects.values().map((ref) => after.context.lookup(ref)).filter((o): o is PDFRawStream => o instanceof PDFRawStream
    && String(o.dict.get(PDFName.of('Subtype'))) === '/Image');
  expect(images).toHaveLength(1);
  // The filled-in field is drawn into the page (what the sender saw), no longer a field.
  const drawnForms = xobjects.values().map((ref) => after.context.lookup(ref)).filter((o) => o instanceof PDFRawStream
    && String(o.dict.get(PDFName.of('Subtype'))) === '/Form');
  expect(drawnForms).toHaveLength(1);
  expect(Buffer.from(decodePDFRawStream(drawnForms[0] as PDFRawStream).decode()).toString('latin1')).toMatch(/Tj/);
  expect([String(images[0].dict.get(PDFName.of('Width'))), String(images[0].dict.get(PDFName.of('Height')))]).toEqual(['240', '120']);
  expect(await exifr.parse(Buffer.from(images[0].contents), { tiff: true, exif: true, gps: true, xmp: true } as never).catch(() => undefined)).toBeUndefined();
}

describe('a PDF letter is stored as a new document with only its pages', () => {
  test('XMP, document info, an attachment, a filled-in form and a tracking link are gone; the pages, text and photo stay', async () => {
    const sent = await letterFullOfSecrets({ scripts: false });
    // The file really carries what the test says it does.
    const parsedSent = await PDFDocument.load(sent, { updateMetadata: false });
    expect(parsedSent.getAuthor()).toBe('Anna Secret-Author');
    expect(parsedSent.getForm().getFields()).toHaveLength(1);
    expect(allText(sent, parsedSent)).toContain('Anna lives at 12 Secret Street');
    expect(allText(sent, parsedSent)).toContain('Image XMP of Anna');

    const res = await upload(request.agent(h.app), eventId, { kind: 'letter', caption: 'Handed in at noon' },
      [{ data: sent, filename: 'letter.pdf', contentType: 'application/pdf' }], { json: true });
    expect(res.body).toMatchObject({ ok: true });
    expect(res.status).toBe(201);

    // What the organiser downloads to moderate is what was stored.
    const row: SubmissionRow = await h.database.db('submissions').orderBy('id', 'desc').first();
    const agent = request.agent(h.app);
    await logIn(agent, organiser.email, organiser.password);
    const stored = await agent.get(`/organise/media/${row.storage_key}/letter`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(stored.status).toBe(200);
    expect(stored.headers['content-type']).toBe('application/pdf');
    const body = stored.body as Buffer;
    const doc = await PDFDocument.load(body, { updateMetadata: false });
    expectOnlyPages(doc, body);
    expect(doc.getForm().getFields()).toHaveLength(0);
    await expectTheLetterItself(sent, body);

    // Approved, the public copy is the same rebuilt file.
    const approve = await submitForm(agent, `/organise/events/${eventId}/moderation`, `/organise/submissions/${row.id}/approve`, {});
    expect(approve.status).toBe(303);
    const pub = await request(h.app).get(`/media/${row.storage_key}/letter`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(Buffer.compare(pub.body as Buffer, body)).toBe(0);
  });

  test('a letter with scripts is refused with a message, and nothing is stored', async () => {
    const before = Number((await h.database.db('submissions').count({ n: '*' }).first())?.n);
    const res = await upload(request.agent(h.app), eventId, { kind: 'letter' },
      [{ data: await letterFullOfSecrets({ scripts: true }), filename: 'letter.pdf', contentType: 'application/pdf' }], { json: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('contains scripts');
    expect(Number((await h.database.db('submissions').count({ n: '*' }).first())?.n)).toBe(before);
  });

  test('even where scripts were not caught, the rebuilt document has none: JavaScript on opening, on closing, on a page and in the name tree', async () => {
    const sent = await letterFullOfSecrets({ scripts: true });
    const rebuilt = await rebuildPdf(await PDFDocument.load(sent, { updateMetadata: false }));
    const data = Buffer.from(await rebuilt.save({ useObjectStreams: false }));
    const doc = await PDFDocument.load(data, { updateMetadata: false });
    expectOnlyPages(doc, data);
    expect(data.toString('latin1')).not.toContain('JavaScript');
    await expectTheLetterItself(sent, data);
  });
});
