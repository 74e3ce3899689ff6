// Demo media for past pickets: two generated photos (made with sharp, then put through the same
// pipeline as any upload) and a typed letter that was handed in. Idempotent: an event that
// already has submissions is left alone.
import sharp from 'sharp';
import type { EventRow } from '../db/tables';
import { processImage, ProcessedImage } from '../lib/images';
import * as queries from '../queries/submissions';
import { storeWithRows } from '../services/media-files';
import type { SeedContext } from './context';

const MAX_PIXELS = 100_000_000;

/** A simple picket scene: sky, a building, people as dots and a banner, in the given colours. */
function scene(sky: string, banner: string, seed: number): Promise<Buffer> {
  const people = Array.from({ length: 14 }, (_, i) => {
    const x = 80 + ((i * 97 + seed * 31) % 1040);
    const y = 560 + ((i * 53 + seed * 17) % 120);
    return `<circle cx="${x}" cy="${y - 70}" r="22" fill="#3b2f2f"/><rect x="${x - 24}" y="${y - 48}" width="48" height="110" rx="14" fill="#${(0x335577 + i * 0x111111 * seed).toString(16).slice(-6)}"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
    <rect width="1200" height="800" fill="${sky}"/>
    <rect x="120" y="120" width="960" height="420" fill="#d9d4c7"/>
    ${Array.from({ length: 6 }, (_, i) => `<rect x="${170 + i * 150}" y="180" width="80" height="140" fill="#8aa1b1"/>`).join('')}
    <rect y="540" width="1200" height="260" fill="#9e9e9e"/>
    ${people}
    <rect x="300" y="430" width="600" height="90" fill="${banner}"/>
    <rect x="320" y="455" width="560" height="40" fill="#ffffff" opacity="0.85"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function seedEvent(ctx: SeedContext, event: EventRow, index: number): Promise<void> {
  const photos: ProcessedImage[] = [];
  for (const [i, colours] of [['#9ecae1', '#c62828'], ['#fdd0a2', '#1565c0']].entries()) {
    const data = await scene(colours[0], colours[1], index * 2 + i + 1);
    photos.push(await processImage(data, { mime: 'image/jpeg', family: 'image' }, MAX_PIXELS));
  }
  const moderated = { status: 'approved' as const, moderated_by: event.owner_id, moderated_at: ctx.now };
  await storeWithRows(ctx, 'media', [...photos.map((p) => ({ display: p.display, thumb: p.thumb })), {}], (trx, keys) =>
    queries.insert(trx, [
      ...photos.map((p, i) => ({
        event_id: event.id, kind: 'photo' as const, storage_key: keys[i], media_type: 'image' as const, mime: 'image/jpeg',
        width: p.width, height: p.height, caption: i === 0 ? `${event.city}: the picket outside the embassy` : 'Banners and candles',
        ...moderated,
      })),
      {
        event_id: event.id, kind: 'letter' as const, storage_key: null, caption: 'Letter to the ambassador',
        letter_text: 'Your Excellency,\n\nWe ask you to convey to your government our demand: release all political prisoners and drop the charges against them.\n\nThe people gathered outside your embassy today.',
        handin_status: index % 3 === 2 ? ('refused' as const) : ('delivered' as const),
        handin_to: index % 3 === 2 ? 'the embassy guard' : 'the consular section',
        ...moderated,
      },
    ]),
  );
}

/** Demo media; idempotent (running the seed twice changes nothing). */
export async function seedMedia(ctx: SeedContext): Promise<void> {
  const ids = Object.values(ctx.events);
  if (!ids.length) return;
  const past: EventRow[] = await ctx.db('events').whereIn('id', ids).where('status', 'published').where('ends_at', '<', ctx.now).orderBy('id').limit(4);
  let added = 0;
  for (const [index, event] of past.entries()) {
    const has = await ctx.db('submissions').where({ event_id: event.id }).first();
    if (has) continue;
    await seedEvent(ctx, event, index);
    added++;
  }
  ctx.log(added ? `report-backs (approved photos and a letter handed in) for ${added} past pickets: added` : 'report-backs of past pickets: there already');
}
