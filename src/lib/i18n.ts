// One translation function for every string the interface shows. Catalogues live in
// locales/<language>/<file>.json; the keys of a file are reached as "<file>.<key>",
// so features keep their strings in their own files.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { i18n as I18n, TFunction } from 'i18next';
import Negotiator from 'negotiator';
import { LRUCache } from 'lru-cache';

export const localesDir = path.resolve(__dirname, '../../locales');

export type Translate = TFunction;

/** Reads locales/<lng>/*.json into { lng: { file: {...} } }. */
export function readCatalogues(dir = localesDir): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const lng of fs.readdirSync(dir).sort()) {
    const lngDir = path.join(dir, lng);
    if (!fs.statSync(lngDir).isDirectory()) continue;
    const catalogue: Record<string, unknown> = {};
    for (const file of fs.readdirSync(lngDir).filter((f) => f.endsWith('.json')).sort()) {
      catalogue[path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(lngDir, file), 'utf8'));
    }
    result[lng] = catalogue;
  }
  return result;
}

export interface Localisation {
  languages: string[];
  defaultLocale: string;
  t(locale: string): Translate;
  /** Chooses a language from an explicit choice, then Accept-Language, then the default. */
  negotiate(choice: string | undefined, acceptLanguage: string | undefined): string;
  /** ` lang="xx"` for content in the organiser's language (see langAttr), for views. */
  langAttr(language: string | null | undefined): string;
}

/**
 * Organisers write in their own language whatever the page's language is; marking it lets screen
 * readers pronounce it right. Gives ` lang="fr"` for a valid BCP 47 tag, else nothing.
 */
export function langAttr(language: string | null | undefined): string {
  if (!language || !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(language.trim())) return '';
  try {
    return ` lang="${Intl.getCanonicalLocales(language.trim())[0]}"`;
  } catch {
    return '';
  }
}

export function createI18n(defaultLocale = 'en'): Localisation {
  const catalogues = readCatalogues();
  const languages = Object.keys(catalogues);
  const instance: I18n = i18next.createInstance();
  void instance.init({
    initImmediate: false,
    resources: Object.fromEntries(languages.map((l) => [l, { translation: catalogues[l] }])),
    lng: defaultLocale,
    fallbackLng: 'en',
    supportedLngs: languages,
    interpolation: { escapeValue: false }, // views escape on output (<%= %>)
    returnNull: false,
  } as Parameters<I18n['init']>[0]);
  const fixed = new Map(languages.map((l) => [l, remembered(instance.getFixedT(l))]));
  const fallback = languages.includes(defaultLocale) ? defaultLocale : 'en';
  const offered = [fallback, ...languages.filter((l) => l !== fallback)];
  // Browsers send a handful of distinct headers: each is ranked once.
  const ranked = new LRUCache<string, string>({ max: 1_000 });

  return {
    languages,
    defaultLocale: fallback,
    t: (locale) => fixed.get(locale) ?? fixed.get(fallback)!,
    langAttr,
    negotiate(choice, acceptLanguage) {
      if (choice && languages.includes(choice)) return choice;
      // negotiator (Express's own) ranks by q, then by how exactly a tag matches ("de-AT" asks for
      // "de"); the default goes first, so "*" or no header at all gives the default.
      const header = acceptLanguage ?? '';
      let language = ranked.get(header);
      if (language === undefined) {
        language = new Negotiator({ headers: { 'accept-language': header } }).language(offered) ?? fallback;
        if (header.length <= 200) ranked.set(header, language);
      }
      return language;
    },
  };
}

/**
 * The catalogues never change while running, so a plain lookup (a key, no options) always gives the
 * same text: remember it. i18next's own lookup was the largest cost of rendering a busy page.
 * A plain Map, not lru-cache: its keys are the catalogue's own keys, a fixed set, so nothing to evict.
 */
function remembered(t: Translate): Translate {
  const known = new Map<string, string>();
  const call = t as unknown as (...args: unknown[]) => string;
  return ((key: unknown, ...rest: unknown[]) => {
    if (rest.length || typeof key !== 'string') return call(key, ...rest);
    let text = known.get(key);
    if (text === undefined) {
      text = call(key);
      known.set(key, text);
    }
    return text;
  }) as unknown as Translate;
}
