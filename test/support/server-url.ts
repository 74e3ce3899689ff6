// Where test databases live: TEST_DATABASE_URL, or an embedded server started by global-setup.
import path from 'node:path';

export const EMBEDDED_TEST_PORT = 54339;
export const embeddedTestDir = path.resolve(__dirname, '../../data/test-postgres');

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
