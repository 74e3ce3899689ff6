// Four languages, complete: every key everywhere, plural forms per language, no text left in views.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { readCatalogues, createI18n, langAttr } from '../src/lib/i18n';
import { formatEventRange, formatEventTime, formatNumber } from '../src/lib/time';
import { safeReturnPath } from '../src/routes/language';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildUser } from './support/factories';
import {
  flatten, keyInfo, listFiles, requiredPluralForms, REQUIRED_LANGUAGES, untranslatedWords, unknownKeysIn, KeyInfo,
} from './support/i18n-checks';

const root = path.resolve(__dirname, '..');
const catalogues = readCatalogues();
const languages = Object.keys(catalogues);
const infos: Record<string, KeyInfo> = Object.fromEntries(languages.map((l) => [l, keyInfo(flatten(catalogues[l]))]));

describe('the catalogues', () => {
  test('English, French, German and Russian are all there', () => {
    expect(languages).toEqual(expect.arrayContaining(REQUIRED_LANGUAGES));
  });

  test('every catalogue file exists in every language', () => {
    const files = new Set(languages.flatMap((l) => Object.keys(catalogues[l])));
    const missing = languages.flatMap((l) => [...files].filter((f) => !(f in catalogues[l])).map((f) => `locales/${l}/${f}.json`));
    expect(missing).toEqual([]);
  });

  test.each(languages)('every key in any language is translated into %s, and it has no extra keys', (lng) => {
    const all = new Set(languages.flatMap((l) => [...infos[l].bases]));
    const missing = [...all].filter((k) => !infos[lng].bases.has(k)).sort();
    expect(missing).toEqual([]);
  });

  test.each(languages)('plural keys in %s have every form the language needs', (lng) => {
    const need = requiredPluralForms(lng);
    const pluralBases = new Set(languages.flatMap((l) => [...infos[l].plurals.keys()]));
    const problems: string[] = [];
    for (const base of pluralBases) {
      const have = infos[lng].plurals.get(base) ?? new Set<string>();
      const lacking = need.filter((form) => !have.has(form));
      if (lacking.length) problems.push(`${base}: ${lacking.map((f) => `_${f}`).join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  test('Russian counts read right: 1 поле, 2 полях, 5 полях', () => {
    const t = createI18n('en').t('ru');
    expect(t('errors.summary', { count: 1 })).toContain('1 поле');
    expect(t('errors.summary', { count: 3 })).toContain('3 полях');
    expect(t('errors.summary', { count: 11 })).toContain('11 полях');
    expect(t('errors.summary', { count: 21 })).toContain('21 поле');
  });

  test.each(languages)('translations in %s are non-empty and only use placeholders the English text has', (lng) => {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(infos[lng].values)) {
      if (typeof value !== 'string' || !value.trim()) problems.push(`${key}: empty`);
    }
    for (const [base, vars] of infos[lng].variables) {
      const english = infos.en?.variables.get(base);
      if (!english) continue;
      for (const v of vars) if (!english.has(v)) problems.push(`${base}: unknown {{${v}}}`);
      for (const v of english) if (v !== 'count' && !vars.has(v)) problems.push(`${base}: lost {{${v}}}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the views', () => {
  const views = listFiles(path.join(root, 'views'), '.ejs');

  test('there are views to check', () => {
    expect(views.length).toBeGreaterThan(5);
  });

  test.each(views.map((v) => path.relative(root, v)))('%s has no interface text outside the catalogues', (view) => {
    expect(untranslatedWords(fs.readFileSync(path.join(root, view), 'utf8'))).toEqual([]);
  });

  test('browser scripts take their words from the page, not from English written into them', () => {
    const sentences = listFiles(path.join(root, 'public/js'), '.js').flatMap((file) => {
      const code = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/^\s*\/\/.*$/gm, ' ');
      return [...code.matchAll(/(['"`])([A-Z][a-z]+(?: [a-z]+)+[.!?]?)\1/g)].map((m) => `${path.relative(root, file)}: ${m[2]}`);
    });
    expect(sentences).toEqual([]);
  });

  test('every message key named in the views and the code exists in English', () => {
    const files = new Set(Object.keys(catalogues.en));
    const known = infos.en.bases;
    const sources = [...views, ...listFiles(path.join(root, 'src'), '.ts')];
    const unknown = sources.flatMap((f) => unknownKeysIn(fs.readFileSync(f, 'utf8'), files, known).map((k) => `${path.relative(root, f)}: ${k}`));
    expect(unknown).toEqual([]);
  });

  test('the checker notices text, spoken attributes, and ignores code and styles', () => {
    expect(untranslatedWords('<p>Hello <%= t("x") %></p>')).toEqual(['Hello']);
    expect(untranslatedWords('<img alt="A banner" src="<%= src %>">')).toEqual(['A', 'banner']);
    expect(untranslatedWords('<button aria-label="<%= t(\'x\') %>" class="big">&times;</button>')).toEqual([]);
    expect(unknownKeysIn("t('home.title'); t('home.nope'); t('home.' + x); 'home.png'", new Set(['home']), new Set(['home.title']))).toEqual(['home.nope']);
    expect(untranslatedWords('<p><code>npm run seed</code> /campaigns/<%= slug %></p>')).toEqual([]);
    expect(untranslatedWords('<script>var words = "ignored";</script><style>p { color: red }</style><%# a comment %>')).toEqual([]);
  });
});

describe('dates, times and numbers for the reader', () => {
  const i18n = createI18n('en');
  const start = new Date('2026-12-16T19:00:00Z');
  const end = new Date('2026-12-16T21:00:00Z');

  test('a picket in London reads naturally in each language', () => {
    expect(formatEventTime(start, 'Europe/London', 'fr', i18n.t('fr'))).toBe('16 décembre, 19:00 (heure de Londres)');
    expect(formatEventTime(start, 'Europe/London', 'en', i18n.t('en'))).toBe('16 December, 19:00 (London time)');
    expect(formatEventTime(start, 'Europe/London', 'de', i18n.t('de'))).toBe('16. Dezember, 19:00 (Ortszeit London)');
    expect(formatEventTime(start, 'Europe/London', 'ru', i18n.t('ru'))).toBe('16 декабря, 19:00 (местное время, Лондон)');
  });

  test('the event keeps its own clock, and unknown cities keep their own name', () => {
    expect(formatEventRange(start, end, 'Asia/Almaty', 'fr', i18n.t('fr'))).toBe('17 décembre, 00:00–02:00 (heure d’Almaty)'.replace('’', "'"));
    expect(formatEventTime(start, 'America/Argentina/Buenos_Aires', 'de', i18n.t('de'))).toBe('16. Dezember, 16:00 (Ortszeit Buenos Aires)');
    expect(formatEventRange(start, new Date('2026-12-17T01:00:00Z'), 'Europe/Paris', 'en', i18n.t('en')))
      .toBe('16 December, 20:00 – 17 December, 02:00 (Paris time)');
  });

  test('numbers use the language’s separators', () => {
    expect(formatNumber(1234, 'en')).toBe('1,234');
    expect(formatNumber(1234, 'de')).toBe('1.234');
    expect(formatNumber(1234, 'fr').replace(/\s/g, ' ')).toBe('1 234');
  });

  test('organiser content is marked with its language, and nonsense is not', () => {
    expect(langAttr('fr')).toBe(' lang="fr"');
    expect(langAttr('pt-br')).toBe(' lang="pt-BR"');
    expect(langAttr(null)).toBe('');
    expect(langAttr('" onmouseover="x')).toBe('');
  });
});

describe('choosing a language', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await buildUser(h.database.db);
  });
  afterAll(async () => {
    await h.close();
  });

  test('a visitor picks French; it is remembered for a year and pages follow it', async () => {
    const agent = request.agent(h.app);
    const english = await agent.get('/login');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('href="/language?lang=fr&amp;next=%2Flogin"');

    const chosen = await agent.get('/language?lang=fr&next=%2Flogin');
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe('/login');
    const cookie = String(chosen.headers['set-cookie']);
    expect(cookie).toMatch(/lang=fr/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const expires = new Date(/Expires=([^;]+)/i.exec(cookie)![1]).getTime();
    expect(expires - Date.now()).toBeGreaterThan(360 * 24 * 3600_000);

    const french = await agent.get('/login');
    expect(french.text).toContain('<html lang="fr">');
    expect(french.text).toContain('Mot de passe oublié ?');
    const missing = await agent.get('/no-such-page');
    expect(missing.text).toContain('Page introuvable');
  });

  test('the browser’s languages are used until a choice is made, and a choice wins', async () => {
    const german = await request(h.app).get('/login').set('Accept-Language', 'de-AT,de;q=0.9,en;q=0.5');
    expect(german.text).toContain('Passwort vergessen?');
    const russian = await request(h.app).get('/login').set('Accept-Language', 'de').set('Cookie', 'lang=ru');
    expect(russian.text).toContain('Забыли пароль?');
    const unknown = await request(h.app).get('/login').set('Accept-Language', 'ja, zh;q=0.8');
    expect(unknown.text).toContain('<html lang="en">');
  });

  test('the browser’s preferences are weighed: order of q, regional variants, a refusal, and “anything”', async () => {
    const lang = async (header: string) => /<html lang="([a-z]+)">/.exec((await request(h.app).get('/login').set('Accept-Language', header)).text)?.[1];
    expect(await lang('fr;q=0.4, ru;q=0.9, de;q=0.5')).toBe('ru'); // the highest q, not the first listed
    expect(await lang('fr-CA')).toBe('fr'); // a regional variant finds its language
    expect(await lang('de;q=0, fr')).toBe('fr'); // q=0 means "not this one"
    expect(await lang('*')).toBe('en'); // anything: the instance's default
    expect(await lang('zh, *;q=0.1')).toBe('en');
  });

  test('an unknown language changes nothing, and the way back never leaves the site', async () => {
    const res = await request(h.app).get('/language?lang=xx&next=/map');
    expect(res.status).toBe(303);
    expect(res.headers['set-cookie']).toBeUndefined();
    for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)']) {
      const r = await request(h.app).get('/language').query({ lang: 'de', next: evil });
      expect(r.headers.location).toBe('/');
    }
    expect(safeReturnPath('/events/3-picket?x=1#rsvp')).toBe('/events/3-picket?x=1#rsvp');
  });

  test('an organiser’s choice is kept with the account, so later e-mails to them use it', async () => {
    const organiser = await buildUser(h.database.db, { name: 'Oksana' });
    const agent = request.agent(h.app);
    await logIn(agent, organiser.email, organiser.password);
    // A plain link only sets the browser's cookie; the switcher's form (POST, CSRF) saves it too.
    await agent.get('/language?lang=fr&next=/organise');
    expect((await h.database.db('users').where({ id: organiser.id }).first()).locale).toBeNull();
    const page = await agent.get('/organise');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post('/language').type('form').send({ _csrf: csrf, lang: 'de', next: '/organise' });
    expect((await h.database.db('users').where({ id: organiser.id }).first()).locale).toBe('de');

    // On a new device, logging in brings the language back.
    const elsewhere = request.agent(h.app);
    await logIn(elsewhere, organiser.email, organiser.password);
    expect((await elsewhere.get('/organise')).text).toContain('<html lang="de">');

    // Later, from another browser that speaks English, a password reset is asked for.
    await submitForm(request.agent(h.app), '/password/forgot', '/password/forgot', { email: organiser.email });
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => m.subject === h.deps.i18n.t('de')('emails.reset.subject'));
    expect(mail.text).toContain('Hallo Oksana,');
  });

  test('the switcher also works as a form (POST with its CSRF token)', async () => {
    const agent = request.agent(h.app);
    const page = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/language').type('form').send({ _csrf: csrf, lang: 'ru', next: '/login' });
    expect(res.status).toBe(303);
    expect((await agent.get('/login')).text).toContain('<html lang="ru">');
  });
});
