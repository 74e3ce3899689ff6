// Addresses made from titles: one slugifier (lib/slug.ts) for campaigns and pickets.
import { slugify } from '../src/lib/slug';
import { slugify as eventSlug } from '../src/services/events';

test('titles in Latin, Cyrillic and with punctuation give readable addresses', () => {
  expect(slugify('Free the Picket Five: Minsk')).toBe('free-the-picket-five-minsk');
  expect(slugify('Свабоду палітвязням! Free them')).toBe('svabodu-palitvyaznyam-free-them');
  expect(slugify('Zürich — Łódź, Straße')).toBe('zurich-lodz-strasse');
  expect(slugify('vigil__at_the_gate & more')).toBe('vigil-at-the-gate-more');
  expect(slugify('日本語')).toBe('');
});

test('a picket’s slug is at most 60 characters and never ends in a hyphen', () => {
  const slug = eventSlug('Solidarity picket outside the embassy of the Republic of Belarus in London');
  expect(slug.length).toBeLessThanOrEqual(60);
  expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(eventSlug('Пикет у посольства')).toBe('piket-u-posolstva'); // was empty before: Cyrillic titles now get an address too
});
