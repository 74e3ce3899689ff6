// The log as the person who reads it: readable lines in a terminal while developing, one JSON
// object a line in production (for a log collector). The real server, started and stopped.
import { createHarness, Harness } from './support/harness';
import { startAppProcess } from './support/app-process';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function logOf(nodeEnv: 'development' | 'production'): Promise<string[]> {
  const app = await startAppProcess({ DATABASE_URL: h.database.url, DATA_DIR: h.dataDir, NODE_ENV: nodeEnv, SMTP_URL: h.smtp.url });
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  await app.stop();
  return app.output().split('\n').filter((line) => line.trim() !== '');
}

test('in development the log reads as lines of text: time, level, message; no JSON', async () => {
  const lines = await logOf('development');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
  // "[12:34:56] INFO: Picket is running ..." (colours aside).
  const plain = lines.map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''));
  expect(plain.some((line) => /^\[\d\d:\d\d:\d\d\] INFO: Picket is running/.test(line))).toBe(true);
  expect(plain.some((line) => /INFO: stopped/.test(line))).toBe(true);
  expect(plain.filter((line) => /\b(ERROR|FATAL)\b/.test(line))).toEqual([]);
}, 60_000);

test('in production every line is one JSON object with a level and a message', async () => {
  const lines = await logOf('production');
  const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; time: number });
  expect(entries.every((e) => typeof e.level === 'number' && typeof e.msg === 'string' && typeof e.time === 'number')).toBe(true);
  expect(entries.map((e) => e.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^Picket is running/), 'stopped']));
  expect(entries.filter((e) => e.level >= 50)).toEqual([]);
}, 60_000);
