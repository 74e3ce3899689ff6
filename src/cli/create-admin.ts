// npm run create-admin: creates an admin account from the command line (asks for the details).
import readline from 'node:readline/promises';
import { z } from 'zod';
import { cliContext } from './context';
import { hashPassword } from '../services/accounts';
import * as users from '../queries/users';
import { email, password, requiredText } from '../lib/validation';

async function main() {
  const { database } = await cliContext();
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const input = {
      name: await rl.question('Name: '),
      email: await rl.question('E-mail address: '),
      password: await rl.question('Password (at least 10 characters): '),
    };
    const parsed = z.object({ name: requiredText(100), email: email(), password: password() }).safeParse(input);
    if (!parsed.success) {
      console.error(`Not created: ${parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
      process.exitCode = 1;
      return;
    }
    if (await users.findByEmail(database.db, parsed.data.email)) {
      console.error('Not created: an account with this e-mail address exists already.');
      process.exitCode = 1;
      return;
    }
    await users.insert(database.db, { ...parsed.data, password_hash: await hashPassword(parsed.data.password), role: 'admin' });
    console.log(`Admin account created for ${parsed.data.email}.`);
  } finally {
    rl.close();
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
