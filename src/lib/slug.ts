// One slugifier for every address made from a title (campaigns, pickets): the slugify package,
// which also transliterates Cyrillic, Greek and the Latin letters NFD leaves alone (ł, ß, æ).
import slugifyText from 'slugify';

/**
 * "Свабоду палітвязням! Free them" gives "svabodu-palitvyaznyam-free-them"; at most `maxLength`
 * characters, never ending in a hyphen; empty when nothing can be spelled in a-z0-9 (Chinese).
 */
export function slugify(text: string, maxLength = 80): string {
  // Punctuation (underscores, ampersands) separates words instead of being spelled out or dropped.
  const words = text.replace(/[^\p{L}\p{N}]+/gu, ' ');
  return slugifyText(words, { lower: true, strict: true, trim: true }).slice(0, maxLength).replace(/-+$/, '');
}
