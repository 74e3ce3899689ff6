// Where test databases live: TEST_DATABASE_URL, or an embedded server started by global-setup.
import path from 'node:path';
import { loadConfig } from '../../src/config';

/** EMBEDDED_TEST_PG_PORT, and a data folder per port: two `npm test` runs given different ports never meet. */
export const EMBEDDED_TEST_PORT = loadConfig().EMBEDDED_TEST_PG_PORT;
export const embeddedTestDir = path.resolve(__dirname, '../../data',
  EMBEDDED_TEST_PORT === 54339 ? 'test-postgres' : `test-postgres-${EMBEDDED_TEST_PORT}`);

export function adminUrl(): string {
  const url = process.env.PICKET_TEST_ADMIN_URL;
  if (!url) throw new Error('global-setup did not run (PICKET_TEST_ADMIN_URL is unset)');
  return url;
}

export function templateName(): string {
  const name = process.env.PICKET_TEST_TEMPLATE;
  if (!name) throw new Error('global-setup did not run (PICKET_TEST_TEMPLATE is unset)');
  return name;
}
