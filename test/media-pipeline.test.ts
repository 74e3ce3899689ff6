// A participant's photos lose every trace of where and with what they were taken, stand upright,
// and anything that is not a real photo or letter is refused with a clear message.
import exifr from 'exifr';
import sharp from 'sharp';
import request from 'supertest';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, isUpright, upload } from './support/media';
import type { SubmissionRow } from '../src/db/tables';
import { assertNoMetadata } from '../src/lib/images';
import { assertCleanPdf } from '../src/lib/pdf';

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

async function approveAll() {
  const agent = request.agent(h.app);
  await logIn(agent, organiser.email, organiser.password);
  const pending: SubmissionRow[] = await h.database.db('submissions').where({ status: 'pending' });
  for (const s of pending) {
    const res = await submitForm(agent, `/organise/events/${s.event_id}/moderation`, `/organise/submissions/${s.id}/approve`, {});
    expect(res.status).toBe(303);
  }
  return pending;
}

async function latest(): Promise<SubmissionRow> {
  return h.database.db('submissions').orderBy('id', 'desc').first();
}

const ALL_METADATA = { tiff: true, exif: true, gps: true, interop: true, ifd1: true, xmp: true, iptc: true, icc: true, makerNote: true, userComment: true };

describe('a participant sends photos straight from a camera', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('a photo with EXIF orientation %i is served upright, with no GPS, camera or any other metadata', async (orientation) => {
    const photo = await cameraPhoto(orientation);
    const sent = await exifr.parse(photo, ALL_METADATA as never);
    expect(sent.latitude).toBeCloseTo(51.509, 2); // the test photo really carries a location
    expect(sent.Make).toBe('Canon');

    const res = await upload(request.agent(h.app), eventId, { caption: `Orientation ${orientation}` }, [{ data: photo }], { json: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ok: true, count: 1 });
    await approveAll();
    const row = await latest();

    for (const size of ['display', 'thumb']) {
      const served = await request(h.app).get(`/media/${row.storage_key}/${size}`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('image/jpeg');
      const body = served.body as Buffer;
      expect(await exifr.parse(body, ALL_METADATA as never).catch(() => undefined)).toBeUndefined();
      const meta = await sharp(body).metadata();
      expect([meta.exif, meta.xmp, meta.iptc, meta.icc, meta.orientation]).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(body.includes('Canon')).toBe(false);
      expect(body.includes('SN-0123456789')).toBe(false);
      expect(await isUpright(body)).toBe(true);
    }
  });

  test('PNG and WebP photos are accepted and cleaned too; several photos go in one form', async () => {
    const agent = request.agent(h.app);
    const res = await upload(agent, eventId, {}, [
      { data: await cameraPhoto(6, { format: 'png' }), filename: 'a.png', contentType: 'image/png' },
      { data: await cameraPhoto(3, { format: 'webp' }), filename: 'b.webp', contentType: 'image/webp' },
    ]);
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain('We received 2 files');
    const rows: SubmissionRow[] = await h.database.db('submissions').orderBy('id', 'desc').limit(2);
    for (const row of rows) {
      const file = await h.deps.storage.get(`media/${row.storage_key}/display.jpg`);
      expect(await isUpright(file!)).toBe(true);
      expect(await exifr.parse(file!, ALL_METADATA as never).catch(() => undefined)).toBeUndefined();
    }
  });

  test('the original file name is neither stored nor shown', async () => {
    const res = await upload(request.agent(h.app), eventId, {}, [{ data: await cameraPhoto(1), filename: 'anna-smith-home-address.jpg' }], { json: true });
    expect(res.status).toBe(201);
    const row = await latest();
    expect(JSON.stringify(row)).not.toContain('anna-smith');
    expect(row.storage_key).toMatch(/^[a-f0-9]{32}$/);
    const stored = await h.deps.storage.list('media/');
    expect(stored.join(' ')).not.toContain('anna');
  });
});

describe('what is refused, and why', () => {
  const refusedWith = async (file: { data: Buffer; filename: string; contentType: string }, kind = 'photo') => {
    const before = await h.database.db('submissions').count({ n: '*' }).first();
    const filesBefore = await h.deps.storage.list();
    const res = await upload(request.agent(h.app), eventId, { kind }, [file], { json: true });
    expect(await h.database.db('submissions').count({ n: '*' }).first()).toEqual(before);
    expect(await h.deps.storage.list()).toEqual(filesBefore);
    return res;
  };

  test('an SVG with a script', async () => {
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>');
    const res = await refusedWith({ data: svg, filename: 'photo.svg', contentType: 'image/svg+xml' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('This file type is not accepted');
  });

  test('an HTML page renamed .jpg and sent as image/jpeg', async () => {
    const res = await refusedWith({ data: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), filename: 'photo.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('This file type is not accepted');
  });

  test('a truncated JPEG', async () => {
    const photo = await cameraPhoto(1);
    const res = await refusedWith({ data: photo.subarray(0, Math.floor(photo.length / 2)), filename: 'cut.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('could not be read');
  });

  test('a 50,000 x 50,000 pixel bomb in a tiny PNG', async () => {
    // A valid PNG header claiming 50,000 x 50,000 pixels, followed by a little compressed data.
    const crc = (buf: Buffer) => {
      let c = ~0;
      for (const byte of buf) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return (~c >>> 0);
    };
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const sum = Buffer.alloc(4);
      sum.writeUInt32BE(crc(body));
      return Buffer.concat([len, body, sum]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(50_000, 0);
    ihdr.writeUInt32BE(50_000, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    const { deflateSync } = await import('node:zlib');
    const bomb = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(1_000_000))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    expect(bomb.length).toBeLessThan(10_000);
    const res = await refusedWith({ data: bomb, filename: 'bomb.png', contentType: 'image/png' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('too many pixels');
  });

  test('a PDF sent as a photo', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const res = await refusedWith({ data: Buffer.from(await doc.save()), filename: 'x.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('only be sent as a letter');
  });

  test('a PDF letter with JavaScript', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const js = doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert("hi")') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(js));
    const res = await refusedWith({ data: Buffer.from(await doc.save()), filename: 'letter.pdf', contentType: 'application/pdf' }, 'letter');
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('contains scripts');
  });

  test('a PDF letter whose link launches a program', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const launch = doc.context.obj({ S: 'Launch', F: PDFString.of('calc.exe') });
    const annot = doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 100, 100], A: launch });
    page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(annot)]));
    const res = await refusedWith({ data: Buffer.from(await doc.save()), filename: 'letter.pdf', contentType: 'application/pdf' }, 'letter');
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('contains scripts');
  });

  test('a damaged HEIC photo (the phone format sharp cannot decode itself) is refused as unreadable', async () => {
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic')]);
    const res = await refusedWith({ data: Buffer.concat([ftyp, Buffer.alloc(2000, 7)]), filename: 'IMG_0001.HEIC', contentType: 'image/heic' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('could not be read');
  });

  test('without JavaScript, the form comes back with the message and what was typed', async () => {
    const res = await upload(request.agent(h.app), eventId, { caption: 'Banner at the gate' }, [
      { data: Buffer.from('<html></html>'), filename: 'x.jpg', contentType: 'image/jpeg' },
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('This file type is not accepted');
    expect(res.text).toContain('value="Banner at the gate"');
  });

  test('a form without the consent box ticked', async () => {
    const res = await upload(request.agent(h.app), eventId, { consent: '' }, [{ data: await cameraPhoto(1) }], { json: true });
    expect(res.status).toBe(400);
    expect(res.body.fields.consent).toContain('confirm');
  });
});

describe('letters', () => {
  test('a PDF letter loses its author, creator, producer, title, keywords and XMP; the letter itself stays', async () => {
    const doc = await PDFDocument.create();
    doc.addPage().drawText('Free all political prisoners', { x: 50, y: 700, size: 18 });
    doc.setAuthor('Anna Secret-Author');
    doc.setCreator('Scanner of Anna');
    doc.setProducer('SecretProducer 9');
    doc.setTitle('Letter by Anna');
    doc.setSubject('Private subject');
    doc.setKeywords(['anna', 'home']);
    const xmp = doc.context.stream('<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Anna XMP</dc:creator></x:xmpmeta>', { Type: 'Metadata', Subtype: 'XML' });
    doc.catalog.set(PDFName.of('Metadata'), doc.context.register(xmp));
    const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
    expect(pdf.includes('Anna XMP')).toBe(true);

    const res = await upload(request.agent(h.app), eventId, { kind: 'letter', caption: 'Our letter' }, [{ data: pdf, filename: 'letter.pdf', contentType: 'application/pdf' }], { json: true });
    expect(res.status).toBe(201);
    await approveAll();
    const row = await latest();
    const served = await request(h.app).get(`/media/${row.storage_key}/letter`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['content-disposition']).toContain('attachment');
    const cleaned = await PDFDocument.load(served.body as Buffer, { updateMetadata: false });
    expect([cleaned.getAuthor(), cleaned.getCreator(), cleaned.getProducer(), cleaned.getTitle(), cleaned.getSubject(), cleaned.getKeywords()])
      .toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(cleaned.catalog.has(PDFName.of('Metadata'))).toBe(false);
    const text = (served.body as Buffer).toString('latin1');
    expect(text).not.toContain('Anna XMP');
    // pdf-lib writes document info as UTF-16 hex strings: look for that spelling too.
    expect(text).not.toContain(Buffer.from('Anna Secret-Author', 'utf16le').swap16().toString('hex').toUpperCase());
    expect(text).not.toContain('SecretProducer');
    expect(cleaned.getPageCount()).toBe(1);
  });

  test('a typed letter needs no file', async () => {
    const res = await upload(request.agent(h.app), eventId, { kind: 'letter', letter_text: 'Dear Ambassador, release them.' }, [], { json: true });
    expect(res.status).toBe(201);
    const row = await latest();
    expect(row).toMatchObject({ kind: 'letter', storage_key: null, letter_text: 'Dear Ambassador, release them.', status: 'pending' });
  });
});

describe('size limit', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await createHarness({ env: { UPLOAD_MAX_MB: '1' } });
  });
  afterAll(async () => {
    await small.close();
  });

  test('a file over the configured size is refused before it is processed', async () => {
    const owner = await buildUser(small.database.db);
    const event = await buildEvent(small.database.db, owner);
    const noise = await sharp(Buffer.from(Array.from({ length: 900 * 900 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 900, height: 900, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(noise.length).toBeGreaterThan(1024 * 1024);
    const res = await upload(request.agent(small.app), event.id, {}, [{ data: noise }], { json: true });
    expect(res.status).toBe(413);
    expect(res.body.error).toContain('larger than the size limit');
    expect(Number((await small.database.db('submissions').count({ n: '*' }).first())?.n)).toBe(0);
    expect(await small.deps.storage.list()).toEqual([]);
  });
});

describe('the checks after cleaning', () => {
  test('would refuse a stored image that still had EXIF, GPS or XMP, and a PDF that still had its author', async () => {
    await expect(assertNoMetadata(await cameraPhoto(1))).rejects.toThrow('media.errors.metadataLeft');
    const xmp = await sharp(await cameraPhoto(1)).withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>').jpeg().toBuffer();
    await expect(assertNoMetadata(xmp)).rejects.toThrow('media.errors.metadataLeft');
    await expect(assertNoMetadata(await sharp(await cameraPhoto(1)).jpeg().toBuffer())).resolves.toBeUndefined();
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.setAuthor('Someone');
    await expect(assertCleanPdf(Buffer.from(await doc.save()))).rejects.toThrow('media.errors.metadataLeft');
  });
});
