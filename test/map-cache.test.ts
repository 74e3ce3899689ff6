import { GeoJsonCache, GeoJsonBody, daySpan } from '../src/services/map';
import { localIso } from '../src/presenters/map';

const body = (name: string, bytes: number): GeoJsonBody => ({ etag: `"${name}"`, json: Buffer.alloc(bytes), gzip: async () => Buffer.alloc(1) });

describe('the cache of serialised feeds', () => {
  test('keeps the most recently used feeds, within its number of entries', async () => {
    const cache = new GeoJsonCache(2);
    let builds = 0;
    const get = (key: string) => cache.get(key, async () => (builds++, body(key, 10)));
    await get('a');
    await get('b');
    await get('a'); // a is now the most recent
    await get('c'); // evicts b
    expect(builds).toBe(3);
    await get('a');
    expect(builds).toBe(3);
    await get('b');
    expect(builds).toBe(4);
  });

  test('stays within its byte budget, and a failed build is not kept', async () => {
    const cache = new GeoJsonCache(10, 100);
    let builds = 0;
    const get = (key: string, bytes: number) => cache.get(key, async () => (builds++, body(key, bytes)));
    await get('big1', 60);
    await get('big2', 60); // over budget: big1 goes
    await get('big2', 60);
    expect(builds).toBe(2);
    await get('big1', 60);
    expect(builds).toBe(3);
    await expect(cache.get('broken', async () => { throw new Error('database down'); })).rejects.toThrow('database down');
    await new Promise((r) => setImmediate(r));
    await expect(cache.get('broken', async () => body('broken', 1))).resolves.toMatchObject({ etag: '"broken"' });
  });

  test('builds a feed once for simultaneous requests', async () => {
    const cache = new GeoJsonCache();
    let builds = 0;
    const build = async () => { builds++; await new Promise((r) => setTimeout(r, 10)); return body('x', 1); };
    await Promise.all([cache.get('x', build), cache.get('x', build), cache.get('x', build)]);
    expect(builds).toBe(1);
  });
});

describe('times on the map', () => {
  test('a local time carries its zone offset, east and west, with half hours', () => {
    const at = Date.parse('2026-12-10T10:00:00Z');
    expect(localIso(at, 9 * 3600)).toBe('2026-12-10T19:00:00+09:00');
    expect(localIso(at, -3.5 * 3600)).toBe('2026-12-10T06:30:00-03:30');
    expect(localIso(at, 0)).toBe('2026-12-10T10:00:00+00:00');
    expect(localIso(at, 5.75 * 3600)).toBe('2026-12-10T15:45:00+05:45');
  });

  test('a day of action runs from the first midnight in the east to the last in the west', () => {
    expect(daySpan('2026-12-10', ['Asia/Tokyo', 'America/Los_Angeles', 'Europe/London'])).toEqual({
      start: '2026-12-09T15:00:00.000Z', end: '2026-12-11T08:00:00.000Z',
    });
    expect(daySpan('2026-12-10', [])).toBeNull();
  });
});
