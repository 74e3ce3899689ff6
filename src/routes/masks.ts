// Masks as forms send them: solid boxes over faces, in fractions (0..1) of the upright picture.
// The upload sends one list per photo (found in the browser, adjusted by the sender); moderation
// sends boxes drawn with a script, or cells of a grid of checkboxes when there is no script.
import { z } from 'zod';
import type { Region } from '../lib/images';

/** More boxes than this on one photo is not a photo of a picket: refused, not truncated. */
export const MAX_MASKS_PER_PHOTO = 100;
/** The grid offered to moderators without JavaScript. */
export const MASK_GRID = { columns: 10, rows: 8 } as const;

/** Rounding in the browser may overshoot an edge by a hair; anything more is outside the picture. */
const EDGE = 1e-6;

function isBox(value: unknown): value is Region {
  if (!value || typeof value !== 'object') return false;
  const { x, y, w, h } = value as Record<string, unknown>;
  return [x, y, w, h].every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** An i18n key saying what is wrong with `boxes`, or null when every box lies inside the picture. */
function problemWith(boxes: unknown): string | null {
  if (!Array.isArray(boxes) || !boxes.every(isBox)) return 'media.errors.masksUnreadable';
  if (boxes.length > MAX_MASKS_PER_PHOTO) return 'media.errors.masksTooMany';
  const inside = (b: Region) => b.x >= 0 && b.y >= 0 && b.w > 0 && b.h > 0 && b.x + b.w <= 1 + EDGE && b.y + b.h <= 1 + EDGE;
  return boxes.every(inside) ? null : 'media.errors.maskOutside';
}

function clampToPicture(b: Region): Region {
  return { x: b.x, y: b.y, w: Math.min(b.w, 1 - b.x), h: Math.min(b.h, 1 - b.y) };
}

function json(v: string, ctx: z.RefinementCtx, path: string[] = []): unknown {
  try {
    return JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'media.errors.masksUnreadable', path });
    return z.NEVER;
  }
}

/** The upload's `masks` field: a JSON list with one list of boxes per photo, in the order sent. */
export const uploadMasks = z
  .string()
  .optional()
  .transform((v, ctx): Region[][] => {
    if (!v || !v.trim()) return [];
    const lists = json(v, ctx);
    if (lists === z.NEVER) return z.NEVER;
    if (!Array.isArray(lists) || lists.length > 20) {
      ctx.addIssue({ code: 'custom', message: 'media.errors.masksUnreadable' });
      return z.NEVER;
    }
    for (const boxes of lists) {
      const problem = problemWith(boxes);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
    }
    return (lists as Region[][]).map((boxes) => boxes.map(clampToPicture));
  });

const cellName = /^(\d{1,2})-(\d{1,2})$/;

/** A checked grid cell "row-column" as the box it covers. */
function cellBox(cell: string): Region | null {
  const m = cellName.exec(cell);
  if (!m) return null;
  const row = Number(m[1]);
  const column = Number(m[2]);
  if (row >= MASK_GRID.rows || column >= MASK_GRID.columns) return null;
  return { x: column / MASK_GRID.columns, y: row / MASK_GRID.rows, w: 1 / MASK_GRID.columns, h: 1 / MASK_GRID.rows };
}

/** Moderation's mask form: drawn boxes (`regions`, JSON) and/or grid cells (`cells`); at least one. */
export const moderationMasks = z
  .object({
    regions: z.string().optional(),
    cells: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .transform((form, ctx): Region[] => {
    let drawn: Region[] = [];
    if (form.regions && form.regions.trim()) {
      const boxes = json(form.regions, ctx, ['regions']);
      if (boxes === z.NEVER) return z.NEVER;
      const problem = problemWith(boxes);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem, path: ['regions'] });
        return z.NEVER;
      }
      drawn = (boxes as Region[]).map(clampToPicture);
    }
    const cells = form.cells === undefined ? [] : Array.isArray(form.cells) ? form.cells : [form.cells];
    const fromGrid = cells.map(cellBox);
    if (fromGrid.some((b) => b === null)) {
      ctx.addIssue({ code: 'custom', message: 'media.errors.maskOutside', path: ['regions'] });
      return z.NEVER;
    }
    const all = [...drawn, ...(fromGrid as Region[])];
    if (!all.length) {
      ctx.addIssue({ code: 'custom', message: 'media.errors.regions', path: ['regions'] });
      return z.NEVER;
    }
    return all;
  });
