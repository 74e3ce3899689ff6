// Checks that keep the four languages complete and the views free of untranslated text.
import fs from 'node:fs';
import path from 'node:path';

export const REQUIRED_LANGUAGES = ['en', 'fr', 'de', 'ru'];
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/**
 * The plural forms each language must spell out. They are what Intl.PluralRules gives for
 * whole numbers we show; French "many" (only for millions: "1 000 000 de champs") falls back
 * to "_other" in i18next, and the brief asks for _one/_other there.
 */
export function requiredPluralForms(lng: string): string[] {
  const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories as string[];
  return categories.filter((c) => !(lng === 'fr' && c === 'many') && c !== 'zero' && c !== 'two').sort();
}

/** { "file.key.sub": "text" } for one language's catalogues. */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

export interface KeyInfo {
  /** keys with plural suffixes removed, e.g. "errors.summary" */
  bases: Set<string>;
  /** base key -> plural forms present */
  plurals: Map<string, Set<string>>;
  /** base key -> interpolation variables used */
  variables: Map<string, Set<string>>;
  values: Record<string, unknown>;
}

export function keyInfo(flat: Record<string, unknown>): KeyInfo {
  const info: KeyInfo = { bases: new Set(), plurals: new Map(), variables: new Map(), values: flat };
  for (const [key, value] of Object.entries(flat)) {
    const match = PLURAL_SUFFIX.exec(key);
    const base = match ? key.slice(0, -match[0].length) : key;
    info.bases.add(base);
    if (match) {
      if (!info.plurals.has(base)) info.plurals.set(base, new Set());
      info.plurals.get(base)!.add(match[1]);
    }
    const vars = info.variables.get(base) ?? new Set<string>();
    for (const m of String(value).matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)) vars.add(m[1]);
    info.variables.set(base, vars);
  }
  return info;
}

/** What a visitor would read in a view once EJS, scripts, styles, comments and tags are gone. */
export function visibleText(template: string): string {
  return template
    .replace(/<%[\s\S]*?%>/g, ' ')
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    // Commands, file names and addresses shown as such are not language.
    .replace(/<(code|kbd|samp)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/(^|\s)\/[^\s<]*/g, ' ')
    .replace(/&[a-z]+;|&#x?[0-9a-f]+;/gi, ' ');
}

/** Attributes a person reads or hears (screen readers announce them); their values must come from t() too. */
const SPOKEN_ATTRIBUTES = /\s(alt|title|placeholder|aria-label|aria-description|aria-roledescription|label)\s*=\s*("([^"]*)"|'([^']*)')/gi;

export function spokenAttributeText(template: string): string[] {
  const withoutEjs = template.replace(/<%[\s\S]*?%>/g, ' ');
  const found: string[] = [];
  for (const tag of withoutEjs.match(/<[a-z][^>]*>/gi) ?? []) {
    for (const m of tag.matchAll(SPOKEN_ATTRIBUTES)) found.push(m[3] ?? m[4] ?? '');
  }
  return found;
}

/** Words allowed to stand untranslated in markup (names, not sentences). */
export const UNTRANSLATED_ALLOWLIST = new Set(['Picket', 'OpenStreetMap', 'Leaflet', 'UTC']);

/** Every word of letters left in a view outside t(): [] when the view is clean. */
export function untranslatedWords(template: string): string[] {
  const texts = [visibleText(template), ...spokenAttributeText(template)];
  const words = texts.join(' ').match(/[\p{L}][\p{L}\p{M}'’-]*/gu) ?? [];
  return words.filter((w) => !UNTRANSLATED_ALLOWLIST.has(w));
}

export function listFiles(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, ext) : e.name.endsWith(ext) ? [full] : [];
  });
}

/**
 * Message keys named literally in code and views ('errors.required', t('home.title')) that no
 * English catalogue has: they would show as raw keys. Keys built by concatenation are not seen.
 */
export function unknownKeysIn(text: string, catalogueFiles: Set<string>, known: Set<string>): string[] {
  const code = text
    .replace(/<%#[\s\S]*?%>/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/^\s*\/\/.*$/gm, ' ');
  const unknown: string[] = [];
  for (const m of code.matchAll(/['"`]([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_-]+)+)['"`](\s*\+)?/g)) {
    const key = m[1];
    if (m[2] || !catalogueFiles.has(key.split('.')[0])) continue; // a prefix for concatenation, or not a key
    if (/\.(png|jpe?g|json|csv|ics|js|css|ejs|ts|geojson|pdf|html|txt)$/.test(key)) continue; // a file name
    if (known.has(key) || [...known].some((k) => k.startsWith(key + '.'))) continue; // a key or a subtree
    unknown.push(key);
  }
  return unknown;
}
