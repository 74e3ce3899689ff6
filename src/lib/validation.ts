// Validation at the edge: zod schemas whose messages are i18n keys ("errors.required").
import { z } from 'zod';
import { BadRequest } from './errors';

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Parses `input`; on failure returns one message key per field (the first problem found). */
export function parse<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '_form';
    // Our keys: "errors.x" or a feature's own "<file>.errors.x"; anything else is zod's English.
    if (!errors[field]) errors[field] = /^([a-z]+\.)?errors\.[A-Za-z.]+$/.test(issue.message) ? issue.message : 'errors.invalid';
  }
  return { ok: false, errors };
}

/** Like parse, but throws BadRequest (400) naming the fields: for the JSON API. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = parse(schema, input);
  if (!parsed.ok) throw new BadRequest(parsed.errors);
  return parsed.data;
}

// Building blocks with our message keys.
export const requiredText = (max = 200) =>
  z.string({ message: 'errors.required' }).trim().min(1, 'errors.required').max(max, 'errors.tooLong');

export const optionalText = (max = 2000) =>
  z.string().trim().max(max, 'errors.tooLong').optional().default('');

export const email = () =>
  z.string({ message: 'errors.required' }).trim().toLowerCase().min(1, 'errors.required')
    .max(254, 'errors.tooLong').email('errors.email');

export const password = () =>
  z.string({ message: 'errors.required' }).min(10, 'errors.passwordTooShort').max(200, 'errors.tooLong');

/** An HTML checkbox: present means true. */
export const checkbox = () => z.preprocess((v) => v === 'on' || v === 'true' || v === true || v === '1', z.boolean());
