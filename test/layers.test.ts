// The layer rules (.dependency-cruiser.cjs, run by npm test) catch a leak the moment it is written:
// a small tree with one of each kind of leak is checked with the project's own rules.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '..');
let dir: string;

const files: Record<string, string> = {
  'src/queries/users.ts': 'export const users = 1;\n',
  'src/db/tables.ts': 'export interface UserRow { id: number }\n',
  'src/db/knex.ts': 'export const knex = 1;\n',
  'src/presenters/accounts.ts': 'export const present = (n: number) => n;\n',
  'src/services/accounts.ts': "import { users } from '../queries/users';\nexport const accounts = users;\n",
  // A route that reads the database itself and renders through a presenter of its own choosing.
  'src/routes/admin.ts':
    "import { users } from '../queries/users';\nimport { knex } from '../db/knex';\nimport { present } from '../presenters/accounts';\n" +
    "import type { UserRow } from '../db/tables';\nimport { accounts } from '../services/accounts';\n" +
    'export const page = (u: UserRow) => present(users + knex + accounts + u.id);\n',
  // Two routers that import each other.
  'src/routes/rsvps.ts': "import { organise } from './organise-rsvps';\nexport const idParam = 1;\nexport const rsvps = organise;\n",
  'src/routes/organise-rsvps.ts': "import { idParam } from './rsvps';\nexport const organise = idParam;\n",
  // A tool in lib/ that knows about accounts, and the one file with a written exception.
  'src/lib/tokens.ts': "import { accounts } from '../services/accounts';\nexport const token = accounts;\n",
  'src/lib/jobs.ts': "import { accounts } from '../services/accounts';\nexport const jobs = accounts;\n",
  // A service that renders a route.
  'src/services/events.ts': "import { page } from '../routes/admin';\nexport const events = page;\n",
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true }, include: ['src'] }),
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-layers-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the check as npm test does; each violation as "rule: from -> to" (a cycle: its first step). */
async function check(): Promise<{ code: number; violations: string[] }> {
  const bin = path.join(root, 'node_modules/.bin/depcruise');
  const args = ['src', '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'];
  let code = 0;
  let output: string;
  try {
    output = (await promisify(execFile)(bin, args, { cwd: dir, maxBuffer: 20 * 1024 * 1024 })).stdout;
  } catch (error) {
    ({ code, stdout: output } = error as { code: number; stdout: string });
  }
  const violations = [...output.matchAll(/error ([a-z-]+): (\S+) → \s*(\S+)/g)].map((m) => `${m[1]}: ${m[2]} -> ${m[3]}`);
  return { code, violations };
}

test('a route that reads the database, a cycle of routers, a domain-aware lib/ and a service that calls a route all fail the check', async () => {
  const { code, violations: found } = await check();
  expect(code).not.toBe(0); // npm test stops here, before jest
  expect(found).toEqual(expect.arrayContaining([
    'routes-call-services-only: src/routes/admin.ts -> src/queries/users.ts',
    'routes-call-services-only: src/routes/admin.ts -> src/presenters/accounts.ts',
    'routes-read-no-database: src/routes/admin.ts -> src/db/knex.ts',
    'lib-knows-no-domain: src/lib/tokens.ts -> src/services/accounts.ts',
    'services-not-upwards: src/services/events.ts -> src/routes/admin.ts',
  ]));
  expect(found.some((v) => v.startsWith('no-cycles: src/routes/'))).toBe(true);
  // Naming a row type is allowed; the job definitions still in lib/jobs.ts are the one written exception.
  expect(found.filter((v) => v.includes('src/db/tables.ts'))).toEqual([]);
  expect(found.filter((v) => v.startsWith('lib-knows-no-domain: src/lib/jobs.ts'))).toEqual([]);
}, 120_000); // a separate process that loads TypeScript: seconds, more on a busy machine
